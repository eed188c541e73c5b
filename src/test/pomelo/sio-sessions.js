// Runs N socket.io-client 1.7.2 sessions against a Pomelo sioconnector, directly or through the sidecar, and
// prints one JSON summary line on stdout. Each session connects, sends sio.entryHandler.entry at once and then
// every --interval until --duration has passed, expects every answer and the onEntry push that follows it, and
// passes only if nothing failed and the session stayed up to the end.
//
//   node sio-sessions.js --url=https://127.0.0.1:8443 --path=/sio-server-1/socket.io --transports=polling
//     [--sessions=10] [--interval=5000] [--duration=12000] [--timeout=10000] [--ca=cert.pem] [--own-addresses]
//
// --transports is polling, websocket or polling,websocket (poll first, then upgrade). --ca is the only trust
// given for https: the client verifies the sidecar's certificate and name against it. --own-addresses connects
// session i from 127.1.x.y of its own (Linux routes all of 127/8 to loopback), as players on their own addresses
// would; without it every session comes from 127.0.0.1. Each session's summary has its address and the clientIps
// its server's answers named (the address Pomelo's session holds).
var fs = require('fs');
var http = require('http');
var https = require('https');
var io = require('socket.io-client');

var ENTRY = 'sio.entryHandler.entry';
var PUSH = 'onEntry';

function options(argv) {
  var opts = {sessions: 10, interval: 5000, duration: 12000, timeout: 10000, transports: 'polling'};
  argv.forEach(function(arg) {
    if (arg === '--own-addresses') {
      opts.ownAddresses = true;
      return;
    }
    var match = /^--([a-z]+)=(.*)$/.exec(arg);
    if (!match) {
      throw new Error('not --name=value: ' + arg);
    }
    opts[match[1]] = match[2];
  });
  if (!opts.url || !opts.path) {
    throw new Error('--url and --path are required');
  }
  ['sessions', 'interval', 'duration', 'timeout'].forEach(function(name) {
    opts[name] = Number(opts[name]);
  });
  opts.transports = opts.transports.split(',');
  return opts;
}

// Pomelo's sio wire format (sioconnector.decode): 4-byte big-endian id, 1-byte route length, route, JSON body,
// each byte one character of the string, as pomelo-jsclient-socket.io builds it.
function encode(id, route, body) {
  var head = String.fromCharCode((id >> 24) & 0xff, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff,
    route.length & 0xff);
  return head + route + JSON.stringify(body);
}

// One message from the server: a response {id, body}, a push {route, body}, or an array of those (a batch).
function decode(data) {
  var message = typeof data === 'string' ? JSON.parse(data) : data;
  return Array.isArray(message) ? message : [message];
}

// engine.io-client's polling takes no localAddress, only an agent; its WebSocket takes both. Neither agent keeps
// connections alive, as engine.io-client's default (agent: false) does not: one connection per request.
function clientAddress(index, opts) {
  if (!opts.ownAddresses) {
    return {};
  }
  var address = '127.1.' + Math.floor(index / 250) + '.' + (index % 250 + 1);
  var Agent = /^https:/.test(opts.url) ? https.Agent : http.Agent;
  return {localAddress: address, agent: new Agent({localAddress: address})};
}

function runSession(index, opts, done) {
  var from = clientAddress(index, opts);
  var result = {session: index, address: from.localAddress || '127.0.0.1', connected: false, sent: 0,
    answered: 0, pushes: 0, serverIds: [], clientIps: [], transport: null, upgraded: false, errors: []};
  var pending = {};
  var nextId = 1;
  var finished = false;
  var startedAt = Date.now();
  var sendTimer = null;
  var socket = io(opts.url, {
    path: opts.path,
    transports: opts.transports,
    forceNew: true,
    reconnection: false,
    timeout: opts.timeout,
    ca: opts.ca,
    localAddress: from.localAddress,
    agent: from.agent
  });
  var engine = socket.io.engine;

  function error(what) {
    result.errors.push((Date.now() - startedAt) + ' ms: ' + what);
  }

  function finish() {
    if (finished) {
      return;
    }
    finished = true;
    clearInterval(sendTimer);
    Object.keys(pending).forEach(function(id) {
      clearTimeout(pending[id]);
      error('request ' + id + ' not answered');
    });
    result.transport = socket.io.engine ? socket.io.engine.transport && socket.io.engine.transport.name : null;
    socket.close();
    result.passed = result.connected && result.errors.length === 0 && result.answered === result.sent
      && result.pushes >= result.sent;
    done(result);
  }

  function send() {
    var id = nextId++;
    result.sent++;
    pending[id] = setTimeout(function() {
      delete pending[id];
      error('request ' + id + ' timed out after ' + opts.timeout + ' ms');
    }, opts.timeout);
    socket.send(encode(id, ENTRY, {uid: 1000 + index, msg: 'hello ' + index + ' #' + id}));
  }

  // Waits for what is still outstanding (bounded by each request's own timeout), then closes.
  function drain() {
    clearInterval(sendTimer);
    var check = setInterval(function() {
      if (Object.keys(pending).length === 0 && result.pushes >= result.sent) {
        clearInterval(check);
        finish();
      }
    }, 50);
    setTimeout(function() {
      clearInterval(check);
      finish();
    }, opts.timeout + 100);
  }

  engine.on('error', function(err) {
    error('engine error: ' + (err && err.message || err) + (err && err.description ? ' (' + err.description + ')'
      : ''));
  });
  engine.on('upgrade', function() {
    result.upgraded = true;
  });
  socket.on('connect', function() {
    result.connected = true;
    send();
    sendTimer = setInterval(send, opts.interval);
    setTimeout(drain, opts.duration);
  });
  socket.on('connect_error', function(err) {
    error('connect_error: ' + (err && err.message || err));
    finish();
  });
  socket.on('connect_timeout', function() {
    error('connect_timeout');
    finish();
  });
  socket.on('disconnect', function(reason) {
    if (!finished) {
      error('disconnect: ' + reason);
      finish();
    }
  });
  socket.on('message', function(data) {
    var messages;
    try {
      messages = decode(data);
    } catch (e) {
      error('undecodable message: ' + String(data).slice(0, 100));
      return;
    }
    messages.forEach(function(message) {
      if (message.id) {
        if (!pending[message.id]) {
          error('unexpected answer ' + message.id);
          return;
        }
        clearTimeout(pending[message.id]);
        delete pending[message.id];
        var body = message.body || {};
        if (body.code !== 200) {
          error('answer ' + message.id + ': ' + JSON.stringify(body));
          return;
        }
        result.answered++;
        if (result.serverIds.indexOf(body.serverId) < 0) {
          result.serverIds.push(body.serverId);
        }
        if (result.clientIps.indexOf(body.clientIp) < 0) {
          result.clientIps.push(body.clientIp);
        }
      } else if (message.route === PUSH) {
        result.pushes++;
      } else {
        error('unexpected push ' + JSON.stringify(message).slice(0, 200));
      }
    });
  });
}

function main() {
  var opts = options(process.argv.slice(2));
  if (opts.ca) {
    opts.ca = fs.readFileSync(opts.ca);
  }
  var results = [];
  for (var i = 0; i < opts.sessions; i++) {
    runSession(i, opts, function(result) {
      results.push(result);
      if (results.length === opts.sessions) {
        results.sort(function(a, b) {
          return a.session - b.session;
        });
        var passed = results.filter(function(r) {
          return r.passed;
        }).length;
        process.stdout.write(JSON.stringify({passed: passed, failed: results.length - passed, sessions: results})
          + '\n', function() {
          process.exit(0);
        });
      }
    });
  }
}

main();
