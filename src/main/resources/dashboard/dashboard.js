// The pomelo-sidecar dashboard. Reads GET /api/status and GET /api/routes every 2 s and draws them. Everything the
// API says reaches the page through textContent only, never as HTML.
'use strict';

(() => {
  const POLL_MILLIS = 2000;
  const CERTIFICATE_WARNING_SECONDS = 14 * 24 * 3600;
  const TOKEN_KEY = 'pomelo-sidecar.admin-token';

  const $ = (id) => document.getElementById(id);
  let lastSuccess = null;
  let timer = null;

  /** An element with a class (or none) and children: strings become text nodes, so nothing is parsed as HTML. */
  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  function badge(text, severity) {
    return el('span', 'badge' + (severity ? ' ' + severity : ''), text);
  }

  function facts(pairs) {
    const list = el('dl', 'facts');
    for (const [term, value] of pairs) {
      list.append(el('dt', null, term), el('dd', null, value));
    }
    return list;
  }

  function bytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = n;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return (unit === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0)) + ' ' + units[unit];
  }

  function duration(seconds) {
    const s = Math.abs(seconds);
    if (s < 60) return Math.round(s) + ' s';
    if (s < 3600) return Math.round(s / 60) + ' min';
    if (s < 2 * 86400) return Math.round(s / 3600) + ' h';
    return Math.round(s / 86400) + ' days';
  }

  function when(iso) {
    if (!iso) return 'never';
    const at = new Date(iso);
    const ago = (Date.now() - at.getTime()) / 1000;
    return at.toLocaleString() + ' (' + (ago >= 0 ? duration(ago) + ' ago' : 'in ' + duration(-ago)) + ')';
  }

  /** A target is down when the proxy would not choose it: checked unhealthy, or healthy false. */
  function down(target) {
    return target.healthy === false || target.health === 'unhealthy';
  }

  function certificateName(c) {
    return c.names && c.names.length ? c.names.join(', ') : c.subject;
  }

  // --- the API ---

  class Unauthorized extends Error {}

  async function api(path) {
    const headers = { Accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    const response = await fetch(path, { headers, cache: 'no-store', credentials: 'omit' });
    if (response.status === 401) {
      throw new Unauthorized();
    }
    if (!response.ok) {
      throw new Error(path + ' answered ' + response.status);
    }
    return response.json();
  }

  async function poll() {
    clearTimeout(timer);
    try {
      const [status, routes] = await Promise.all([api('/api/status'), api('/api/routes')]);
      lastSuccess = new Date();
      $('token').hidden = true;
      $('content').hidden = false;
      $('forget').hidden = !sessionStorage.getItem(TOKEN_KEY);
      draw(status, routes);
      fresh();
    } catch (e) {
      if (e instanceof Unauthorized) {
        askForToken();
        return; // Polling resumes when a token is given.
      }
      stale(e);
    }
    timer = setTimeout(poll, POLL_MILLIS);
  }

  function fresh() {
    const line = $('freshness');
    line.classList.remove('stale');
    line.textContent = 'updated ' + lastSuccess.toLocaleTimeString();
  }

  function stale(error) {
    const line = $('freshness');
    line.classList.add('stale');
    line.textContent = 'cannot reach the admin API (' + error.message + ')'
      + (lastSuccess ? '; showing what it said at ' + lastSuccess.toLocaleTimeString() : '');
  }

  function askForToken() {
    const had = sessionStorage.getItem(TOKEN_KEY);
    sessionStorage.removeItem(TOKEN_KEY);
    $('content').hidden = true;
    $('token').hidden = false;
    $('forget').hidden = true;
    const error = $('token-error');
    error.hidden = !had;
    error.textContent = had ? 'That token was refused.' : '';
    $('freshness').classList.remove('stale');
    $('freshness').textContent = 'waiting for the admin token';
    $('token-input').focus();
  }

  // --- drawing ---

  function draw(status, routes) {
    $('version').textContent = status.version;
    const attention = [];
    drawRoutes(routes, attention);
    drawReload(status.lastReload, attention);
    drawMaster(status.master, attention);
    drawCertificates(status.certificates, attention);
    drawOverview(status, routes, attention);
    drawAttention(attention);
  }

  function drawOverview(status, routes, attention) {
    if (!status.ready) {
      attention.unshift({ severity: 'bad', text: 'Not ready: ' + status.phase });
    }
    const serversDown = status.health.serversDown;
    const tiles = [
      ['Phase', status.phase, status.ready ? null : 'bad'],
      ['Ready', status.ready ? 'yes' : 'no', status.ready ? null : 'bad'],
      ['Servers up', status.health.serversUp, null],
      ['Servers down', serversDown.length, serversDown.length ? 'bad' : null],
      ['Open connections', status.openConnections, null],
      ['Routes', routes.length, null],
      ['Table', 'generation ' + status.routes.generation, null],
      ['Uptime', duration(status.uptimeSeconds), null],
      ['Public port', status.listen.host + ':' + status.listen.port, null],
      ['Environment', status.pomelo.environment, null],
    ];
    const list = $('overview');
    list.replaceChildren(...tiles.map(([term, value, severity]) => {
      const tile = el('div', severity, el('dt', null, term), el('dd', null, value));
      tile.dataset.tile = term;
      return tile;
    }));
  }

  function drawRoutes(routes, attention) {
    const seen = new Set();
    const cards = routes.map((route) => {
      const downTargets = route.targets.filter(down);
      const severity = downTargets.length === route.targets.length ? 'bad' : downTargets.length ? 'warn' : null;
      for (const t of downTargets) {
        if (!seen.has(t.id)) {
          seen.add(t.id);
          attention.push({ severity: 'bad', text: 'Server ' + t.id + ' (' + t.host + ':' + t.port + ') is down'
            + (t.lastError ? ': ' + t.lastError : t.unlisted ? ': the master does not list it' : '') });
        }
      }
      const card = el('article', 'card route' + (severity ? ' ' + severity : ''),
        el('header', null,
          el('h3', 'mono', route.path),
          badge(route.kind),
          el('span', 'muted', route.serverType),
          route.stripPrefix ? badge('strips prefix') : null),
        counters(route),
        el('ul', 'targets', ...route.targets.map(target)));
      card.dataset.route = route.path;
      return card;
    });
    const box = $('routes');
    box.replaceChildren(...(cards.length ? cards : [el('p', 'muted', 'The route table is empty.')]));
  }

  function counters(route) {
    const list = el('dl', 'counters');
    for (const [term, value] of [['active', route.activeConnections], ['total', route.totalConnections],
      ['in', bytes(route.bytesIn)], ['out', bytes(route.bytesOut)]]) {
      list.append(el('div', null, el('dt', null, term), el('dd', null, value)));
    }
    return list;
  }

  function target(t) {
    const isDown = down(t);
    const health = t.health === 'unchecked' ? badge('unchecked')
      : badge(isDown ? 'down' : t.health === 'unknown' ? 'unknown' : 'up', isDown ? 'bad' : t.health === 'unknown' ? 'warn' : 'ok');
    const item = el('li', null,
      el('span', 'id', t.id),
      el('span', 'where mono', t.host + ':' + t.port + (t.tls ? ' (TLS)' : '')),
      health,
      t.source === 'master' ? badge('from master') : null,
      t.unlisted ? badge('unlisted by master', 'warn') : null,
      el('span', 'conns', t.activeConnections + ' open'),
      isDown && t.lastError ? el('span', 'error', t.lastError) : null);
    item.dataset.server = t.id;
    item.dataset.state = isDown ? 'down' : 'up';
    item.title = 'health: ' + t.health + ', source: ' + t.source + ', last check: ' + when(t.lastCheck);
    return item;
  }

  function drawReload(reload, attention) {
    const section = $('reload');
    const body = $('reload-body');
    section.className = 'card';
    if (!reload) {
      section.dataset.result = '';
      body.replaceChildren(el('p', 'muted', 'No reload yet.'));
      return;
    }
    section.dataset.result = reload.result;
    const failed = reload.result === 'error';
    if (failed) {
      section.classList.add('bad');
      attention.push({ severity: 'bad', text: 'The last reload (' + reload.trigger + ') failed with '
        + reload.errors.length + (reload.errors.length === 1 ? ' error' : ' errors') + '; the previous table is still served' });
    }
    const changes = [];
    for (const kind of ['added', 'removed', 'retargeted', 'changed']) {
      if (reload.diff[kind].length) {
        changes.push(kind + ' ' + reload.diff[kind].join(', '));
      }
    }
    const parts = [
      facts([
        ['Result', badge(reload.result, failed ? 'bad' : 'ok')],
        ['Trigger', reload.trigger],
        ['At', when(reload.at)],
        ['Generation', reload.generation],
        ['Changes', changes.length ? changes.join('; ') : 'none'],
        ['Certificates', reload.certificatesReloaded ? 'reloaded' : 'unchanged'],
        ['Session ticket keys', reload.ticketKeysRotated ? 'rotated' : 'unchanged'],
      ]),
    ];
    if (reload.needsRestart.length) {
      parts.push(el('p', 'warn-text', 'Needs a restart to apply: ' + reload.needsRestart.join(', ')));
    }
    if (reload.errors.length) {
      parts.push(el('ul', 'errors', ...reload.errors.map(problem)));
    }
    body.replaceChildren(...parts);
  }

  /** An error names its file first ("servers.json: production.connector[1].clientPort = ..."): the file in bold. */
  function problem(text) {
    const colon = text.indexOf(': ');
    if (colon > 0 && colon < 200) {
      return el('li', 'mono', el('span', 'file', text.slice(0, colon)), text.slice(colon));
    }
    return el('li', 'mono', text);
  }

  function drawMaster(master, attention) {
    const section = $('master');
    const body = $('master-body');
    section.className = 'card';
    if (!master) {
      section.dataset.state = '';
      body.replaceChildren(el('p', 'muted', 'Not following a Pomelo master: the routes come from servers.json.'));
      return;
    }
    section.dataset.state = master.state;
    const connected = master.state === 'connected';
    if (!connected) {
      section.classList.add(master.state === 'connecting' ? 'warn' : 'bad');
      attention.push({ severity: master.state === 'connecting' ? 'warn' : 'bad',
        text: 'Pomelo master ' + master.address + ' is ' + master.state + (master.error ? ': ' + master.error : '') });
    }
    body.replaceChildren(facts([
      ['State', badge(master.state, connected ? 'ok' : master.state === 'connecting' ? 'warn' : 'bad')],
      ['Address', master.address],
      ['Since', when(master.since)],
      ['Last list', when(master.lastListAt)],
      ['Error', master.error || 'none'],
      ['Servers added', master.addedServers.length ? master.addedServers.join(', ') : 'none'],
    ]));
  }

  function drawCertificates(certificates, attention) {
    const section = $('certificates');
    section.className = 'card';
    let worst = null;
    const items = certificates.map((c) => {
      const left = c.secondsUntilExpiry;
      const severity = left <= 0 ? 'bad' : left < CERTIFICATE_WARNING_SECONDS ? 'warn' : null;
      if (severity) {
        worst = worst === 'bad' ? 'bad' : severity;
        attention.push({ severity, text: 'Certificate for ' + certificateName(c)
          + (left <= 0 ? ' expired ' + duration(left) + ' ago' : ' expires in ' + duration(left)) });
      }
      const item = el('li', null,
        el('div', 'mono', certificateName(c)),
        el('div', null,
          badge(left <= 0 ? 'expired' : 'expires in ' + duration(left), severity || 'ok'), ' ',
          el('span', 'muted', new Date(c.notAfter).toLocaleDateString() + ' · ' + c.issuer)));
      item.dataset.expiring = severity ? 'yes' : 'no';
      return item;
    });
    if (worst) {
      section.classList.add(worst);
    }
    $('certificates-body').replaceChildren(...(items.length ? items : [el('li', 'muted', 'No certificates.')]));
  }

  function drawAttention(attention) {
    const order = { bad: 0, warn: 1 };
    attention.sort((a, b) => order[a.severity] - order[b.severity]);
    const items = attention.length
      ? attention.map((a) => el('li', a.severity, a.text))
      : [el('li', 'ok', 'Everything is fine: every server is up, the last reload applied, no certificate expires within 14 days.')];
    $('attention').replaceChildren(...items);
  }

  // --- start ---

  document.addEventListener('DOMContentLoaded', () => {
    $('token').addEventListener('submit', (event) => {
      event.preventDefault();
      const value = $('token-input').value.trim();
      if (value) {
        sessionStorage.setItem(TOKEN_KEY, value);
        $('token-input').value = '';
        poll();
      }
    });
    $('forget').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      clearTimeout(timer);
      askForToken();
    });
    poll();
  });
})();
