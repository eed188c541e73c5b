// Tells a client which connector to use, as the sidecar publishes it: the public host and the
// connector's path ('/' + id + '/') in the port field, the way Pomelo clients pass it on to the URL.
module.exports = function(app) {
  return new GateHandler(app);
};

function GateHandler(app) {
  this.app = app;
}

// msg.uid (a number) picks connector uid mod n, in id order, so a test can reach every connector.
GateHandler.prototype.queryEntry = function(msg, session, next) {
  var connectors = this.app.getServersByType('connector').slice().sort(function(a, b) {
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  var uid = Number(msg.uid);
  if (!connectors.length || !Number.isInteger(uid) || uid < 0) {
    next(null, {code: 500, error: 'need a non-negative integer uid and at least one connector'});
    return;
  }
  var connector = connectors[uid % connectors.length];
  next(null, {code: 200, host: process.env.POMELO_PUBLIC_HOST || '127.0.0.1', port: '/' + connector.id + '/'});
};
