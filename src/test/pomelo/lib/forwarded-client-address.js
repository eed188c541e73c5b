// Pomelo's hybridconnector records the TCP peer as the client address. Behind the sidecar that peer is
// the sidecar itself, so the real client is read from the WebSocket upgrade request it forwarded.
var pomelo = require('pomelo');

// The rightmost X-Forwarded-For entry is the one our trusted proxy added; anything left of it
// came from the client and could be forged.
function forwardedIp(headers) {
  var realIp = headers['x-real-ip'];
  if (realIp) {
    return realIp.trim();
  }
  var forwardedFor = headers['x-forwarded-for'];
  if (forwardedFor) {
    var hops = forwardedFor.split(',');
    return hops[hops.length - 1].trim();
  }
  return null;
}

// hybridsocket.socket is the ws@1.1.1 WebSocket, which keeps its upgrade request as upgradeReq
// (ws 3+ passes it to the 'connection' event instead). A raw TCP client has no upgradeReq.
function useForwardedAddress(trustedProxies, hybridsocket) {
  var upgradeReq = hybridsocket.socket && hybridsocket.socket.upgradeReq;
  if (!upgradeReq || trustedProxies.indexOf(hybridsocket.remoteAddress.ip) < 0) {
    return;
  }
  var ip = forwardedIp(upgradeReq.headers);
  if (ip) {
    hybridsocket.proxyAddress = hybridsocket.remoteAddress;
    hybridsocket.remoteAddress = {ip: ip, port: hybridsocket.remoteAddress.port};
  }
}

// Returns a connector factory for connectorConfig.connector. Pomelo calls it as
// connector(clientPort, host, opts); the listener added here runs before the connector component's
// own (added in its afterStart), so sessions, host filters and
// sessionService.getClientAddressBySessionId all see the client, not the proxy.
exports.hybridconnector = function(trustedProxies) {
  return function(port, host, opts) {
    var connector = new pomelo.connectors.hybridconnector(port, host, opts);
    connector.on('connection', useForwardedAddress.bind(null, trustedProxies));
    return connector;
  };
};
