// Answers with what the connector saw, then pushes one message, so a test checks both directions.
module.exports = function(app) {
  return new EntryHandler(app);
};

function EntryHandler(app) {
  this.app = app;
}

EntryHandler.prototype.entry = function(msg, session, next) {
  var app = this.app;
  var uid = String(msg.uid);
  var sessionService = app.get('sessionService');
  // Already the forwarded address when the sidecar sent X-Real-IP (see lib/forwarded-client-address.js).
  var address = sessionService.getClientAddressBySessionId(session.id);
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
