// Pomelo's connectors record the TCP peer as the client address. Behind the sidecar that peer is the
// sidecar itself, so the real client is read from the request it forwarded: the WebSocket upgrade for the
// hybridconnector, the socket.io handshake (a first poll or an upgrade) for the sioconnector.
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

// A dual-stack server sees IPv4 peers as ::ffff:a.b.c.d; Pomelo's other addresses are plain a.b.c.d.
function plainIp(address) {
  return typeof address === 'string' ? address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1') : null;
}

// siosocket.socket is the socket.io 1.7 socket, whose handshake holds the first request of its engine.io
// session. Pomelo 2.2.7 reads handshake.address.address, but socket.io 1.x made handshake.address a string,
// so without this every sio session's address is undefined, behind a proxy or not.
function useSioAddress(trustedProxies, siosocket) {
  var handshake = siosocket.socket && siosocket.socket.handshake;
  if (!handshake) {
    return;
  }
  var peer = plainIp(handshake.address);
  var ip = trustedProxies.indexOf(peer) >= 0 ? forwardedIp(handshake.headers) : null;
  if (ip) {
    siosocket.proxyAddress = {ip: peer, port: siosocket.remoteAddress.port};
  }
  siosocket.remoteAddress = {ip: ip || peer, port: siosocket.remoteAddress.port};
}

// The same for Pomelo's default connector, the sioconnector: sessions see the client, not the proxy.
exports.sioconnector = function(trustedProxies) {
  return function(port, host, opts) {
    var connector = new pomelo.connectors.sioconnector(port, host, opts);
    connector.on('connection', useSioAddress.bind(null, trustedProxies));
    return connector;
  };
};
