// The sio servers' counterpart of connector.entryHandler: answers with what the server saw and pushes one
// message after every answer, so a socket.io session checks both directions on each request.
module.exports = function(app) {
  return new EntryHandler(app);
};

function EntryHandler(app) {
  this.app = app;
}

// Binding the same uid again is a no-op in Pomelo, so a session may call this as often as it likes.
EntryHandler.prototype.entry = function(msg, session, next) {
  var app = this.app;
  var uid = String(msg.uid);
  var address = app.get('sessionService').getClientAddressBySessionId(session.id);
  var resp = {
    code: 200,
    serverId: app.getServerId(),
    echo: msg.msg === undefined ? null : msg.msg,
    clientIp: address ? address.ip : null
  };
  session.bind(uid, function(err) {
    if (err) {
      next(null, {code: 500, error: String(err)});
      return;
    }
    next(null, resp);
    app.get('channelService').pushMessageByUids('onEntry',
      {serverId: app.getServerId(), uid: uid, echo: resp.echo},
      [{uid: uid, sid: app.getServerId()}]);
  });
};
