// One gate and two connectors, all hybridconnector (WebSocket), a wss server (hybridconnector over TLS), and two
// sio servers on Pomelo's default sioconnector (socket.io), for the sidecar's end-to-end tests.
// config/servers.json and config/master.json are written by the Java test (PomeloCluster) with free ports.
var fs = require('fs');
var pomelo = require('pomelo');
var forwardedClientAddress = require('./lib/forwarded-client-address');

var app = pomelo.createApp();
app.set('name', 'pomelo-sidecar-test-app');

app.configure('all', 'gate|connector', function() {
  app.set('connectorConfig', {
    // A factory instead of pomelo.connectors.hybridconnector itself, so our 'connection' listener
    // is registered before Pomelo's own and every later reader sees the forwarded address.
    connector: forwardedClientAddress.hybridconnector(['127.0.0.1', '::1', '::ffff:127.0.0.1']),
    // Listen on the server's host (127.0.0.1) rather than on every interface.
    distinctHost: true,
    // Short, so a test can hold a connection past two heartbeats in a few seconds.
    heartbeat: 3,
    useDict: false,
    useProtobuf: false
  });
});

// A connector that speaks TLS itself (Pomelo's wiki: connectorConfig.ssl), for the sidecar's backend TLS; the Java
// test writes config/wss/ with a certificate the sidecar is told to trust.
app.configure('all', 'wss', function() {
  app.set('connectorConfig', {
    connector: forwardedClientAddress.hybridconnector(['127.0.0.1', '::1', '::ffff:127.0.0.1']),
    distinctHost: true,
    heartbeat: 3,
    useDict: false,
    useProtobuf: false,
    ssl: {
      type: 'wss',
      key: fs.readFileSync('config/wss/key.pem'),
      cert: fs.readFileSync('config/wss/cert.pem')
    }
  });
});

// Pomelo's default connector, the sioconnector (socket.io 1.7.2 on engine.io 1.8.2). The values are
// Pomelo's own sio template's: without transports engine.io throws on the first request, and without the
// heartbeats (milliseconds) Pomelo passes 25 and 60, which engine.io reads as a 25 ms ping interval.
app.configure('all', 'sio', function() {
  app.set('connectorConfig', {
    // Still the sioconnector, wrapped so sessions see the client's address (lib/forwarded-client-address.js).
    connector: forwardedClientAddress.sioconnector(['127.0.0.1', '::1']),
    transports: ['websocket', 'polling'],
    heartbeatTimeout: 60 * 1000,
    heartbeatInterval: 25 * 1000
  });
});

// A client port accepts connections before the master has told every server about the others, and
// a push goes through RPC; the test waits for this line from each frontend before it connects.
app.event.on('start_all', function() {
  console.log('pomelo-test-app ready: ' + app.getServerId());
});

// The test kills the whole tree, but if its JVM dies first nothing would: the master's children are
// not detached, yet survive it. Each process leaves once its parent has gone.
if (process.env.POMELO_EXIT_WITH_PARENT === '1') {
  var parentPid = process.ppid;
  setInterval(function() {
    if (process.ppid !== parentPid) {
      process.exit(1);
    }
  }, 500).unref();
}

app.start();

process.on('uncaughtException', function(err) {
  console.error('uncaught exception: ' + err.stack);
});
