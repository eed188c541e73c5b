// Prints what Pomelo 2.2.7's own loader makes of one servers.json in one environment, as one line
// 'pomelo-reads: {serverCount, frontends: [{id, serverType, host, clientHost, clientPort}]}' after Pomelo's own
// log lines. The sidecar's reader is
// compared with this (ServersFixturesTest), so the fixtures' expectations come from Pomelo, not from us.
//
//   node pomelo-reads.js path/to/servers.json development
//
// It lays the file out as an app's config/servers.json beside a minimal master.json in a temporary base
// directory, and runs pomelo.createApp there (which loads both, as a master does) without starting anything.
var fs = require('fs');
var os = require('os');
var path = require('path');

var file = process.argv[2];
var env = process.argv[3];
if (!file || !env) {
  throw new Error('usage: node pomelo-reads.js <servers.json> <environment>');
}
var base = fs.mkdtempSync(path.join(os.tmpdir(), 'pomelo-reads-'));
fs.mkdirSync(path.join(base, 'config'));
fs.copyFileSync(file, path.join(base, 'config', 'servers.json'));
var master = {};
master[env] = {id: 'master-server-1', host: '127.0.0.1', port: 3005};
fs.writeFileSync(path.join(base, 'config', 'master.json'), JSON.stringify(master));

// Pomelo reads its environment from the command line (env=...), as `pomelo start -e` passes it.
process.argv = [process.argv[0], path.join(base, 'app.js'), 'env=' + env];
var pomelo = require('pomelo');
var app = pomelo.createApp({base: base});
var serverMap = app.get('__serverMap__');

// A server process gets its fields as text (frontend=true) and app.isFrontend compares with 'true'.
var frontends = [];
Object.keys(serverMap).forEach(function(id) {
  var server = serverMap[id];
  if (String(server.frontend) === 'true') {
    frontends.push({id: server.id, serverType: server.serverType, host: server.host,
      clientHost: server.clientHost === undefined ? null : server.clientHost, clientPort: Number(server.clientPort)});
  }
});
fs.rmSync(base, {recursive: true, force: true});
var read = {serverCount: Object.keys(serverMap).length, frontends: frontends};
process.stdout.write('pomelo-reads: ' + JSON.stringify(read) + '\n',
  function() {
    process.exit(0);
  });
