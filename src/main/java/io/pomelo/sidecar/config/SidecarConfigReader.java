package io.pomelo.sidecar.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns the merged configuration document into {@link SidecarConfig}, checking every key. All problems are
 * collected and reported together; an unknown key is a problem too, because a typo would otherwise be ignored.
 */
final class SidecarConfigReader {

  /** A DNS name, an IPv4 address or a bracketed IPv6 one, and maybe a port: what a Host header holds. */
  private static final Pattern ALLOWED_HOST = Pattern.compile(
    "([A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?|\\[[0-9A-Fa-f:.]+])(:[0-9]{1,5})?");

  private final String file;
  private final Path baseDir;
  private final Map<String, String> sources;
  private final Map<String, String> env;
  private final List<ConfigProblem> problems = new ArrayList<>();

  /**
   * @param file    the configuration file, for messages; relative paths in it are resolved against its directory
   * @param sources where overridden keys came from
   * @param env     the process environment ({@code STATE_DIRECTORY}, {@code HOME})
   */
  SidecarConfigReader(Path file, Map<String, String> sources, Map<String, String> env) {
    this.file = file.toString();
    Path parent = file.toAbsolutePath().getParent();
    this.baseDir = parent == null ? Path.of("") : parent;
    this.sources = sources;
    this.env = env;
  }

  SidecarConfig read(JsonObject root) throws ConfigException {
    checkKeys(root, "", ConfigSection.yamlNames());
    for (ConfigSection section : ConfigSection.values()) {
      Object value = root.getValue(section.yamlName());
      if (value instanceof JsonObject object) {
        checkKeys(object, section.yamlName(), section.keyNames());
      } else if (value != null) {
        problem(section.yamlName(), value, "must be a mapping of keys");
      }
    }
    ListenerConfig listenDefaults = ListenerConfig.publicDefault();
    ListenerConfig listen = new ListenerConfig(string(root, "listen", "host", listenDefaults.host()),
      port(root, "listen", "port", listenDefaults.port()));
    String ticketKeys = string(root, "tls", "sessionTicketKeys", "");
    TlsConfig tls = new TlsConfig(certificates(section(root, "tls").getValue("certificates")),
      ticketKeys.isEmpty() ? null : path(ticketKeys), acme(section(root, "tls").getValue("acme"), listen),
      groups(section(root, "tls").getValue("groups")));
    PomeloConfig pomeloDefaults = PomeloConfig.defaults();
    PomeloConfig pomelo = new PomeloConfig(
      path(string(root, "pomelo", "serversFile", pomeloDefaults.serversFile().toString())),
      string(root, "pomelo", "environment", pomeloDefaults.environment()));
    RoutesConfig routes = routes(section(root, "routes"));
    // Before admin and proxy: the token file and the CA file are read under reload.maxFileSize.
    ReloadConfig reloadDefaults = ReloadConfig.defaults();
    ReloadConfig reload = new ReloadConfig(
      bool(section(root, "reload").getValue("watch"), "reload.watch", reloadDefaults.watch()),
      removedRoutes(section(root, "reload").getValue("removedRoutes")),
      duration(root, "reload", "closeAfter", reloadDefaults.closeAfter()),
      maxFileSize(section(root, "reload").getValue("maxFileSize")));
    ProxyConfig proxyDefaults = ProxyConfig.defaults();
    ProxyConfig proxy = new ProxyConfig(
      duration(root, "proxy", "connectTimeout", proxyDefaults.connectTimeout()),
      duration(root, "proxy", "upgradeTimeout", proxyDefaults.upgradeTimeout()),
      duration(root, "proxy", "responseTimeout", proxyDefaults.responseTimeout()),
      backendTls(section(root, "proxy").getValue("backendTls"), BoundedFile.limitedBy(reload)));
    AdminConfig admin = admin(root, BoundedFile.limitedBy(reload));
    HealthConfig healthDefaults = HealthConfig.defaults();
    HealthConfig health = new HealthConfig(
      bool(section(root, "health").getValue("enabled"), "health.enabled", healthDefaults.enabled()),
      duration(root, "health", "interval", healthDefaults.interval()),
      duration(root, "health", "timeout", healthDefaults.timeout()));
    AccessLogConfig accessLog = new AccessLogConfig(
      bool(section(root, "accessLog").getValue("enabled"), "accessLog.enabled", AccessLogConfig.defaults().enabled()));
    ShutdownConfig shutdown = new ShutdownConfig(
      durationOrZero(root, "shutdown", "lameDuck", ShutdownConfig.defaults().lameDuck()),
      duration(root, "shutdown", "drain", ShutdownConfig.defaults().drain()));
    String stateDir = string(root, "state", "dir", "");
    LimitsConfig limits = limits(root);
    WeChatConfig wechat = new WeChatConfig(appIds(section(root, "wechat").getValue("appIds")),
      bool(section(root, "wechat").getValue("allowDevelopment"), "wechat.allowDevelopment",
        WeChatConfig.defaults().allowDevelopment()));
    MasterConfig master = master(root, BoundedFile.limitedBy(reload));
    ClientsConfig clients = clients(root);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new SidecarConfig(Path.of(file), listen, tls, pomelo, routes, proxy, admin, reload, shutdown,
      stateDir.isEmpty() ? defaultStateDir(env) : path(stateDir), health, accessLog, limits, wechat, master,
      clients);
  }

  /** The admin listener and its token: from admin.token, or the content of admin.tokenFile, never both. */
  private AdminConfig admin(JsonObject root, BoundedFile files) {
    AdminConfig defaults = AdminConfig.defaults();
    ListenerConfig listener = new ListenerConfig(string(root, "admin", "host", defaults.listener().host()),
      port(root, "admin", "port", defaults.listener().port()));
    String token = string(root, "admin", "token", defaults.token());
    String fileName = string(root, "admin", "tokenFile", "");
    Path tokenFile = null;
    if (!fileName.isEmpty()) {
      tokenFile = path(fileName);
      if (!token.isEmpty()) {
        problem("admin.tokenFile", fileName, "set admin.token or admin.tokenFile, not both");
      } else {
        try {
          token = new String(files.read(tokenFile, "admin.tokenFile"), StandardCharsets.UTF_8).trim();
          if (token.isEmpty()) {
            problem("admin.tokenFile", fileName, "is empty; it must hold the token");
          }
        } catch (ConfigException e) {
          problems.addAll(e.problems());
        }
      }
    }
    AdminConfig admin = new AdminConfig(listener, token, tokenFile,
      allowedHosts(section(root, "admin").getValue("allowedHosts")),
      count(root, "admin", "maxConnections", defaults.maxConnections(), 1),
      duration(root, "admin", "idleTimeout", defaults.idleTimeout()));
    admin.problem(sources.getOrDefault("admin.host", file)).ifPresent(problems::add);
    return admin;
  }

  /** {@code master:}; the password file is read now, so that a bad one is a problem at start. */
  private MasterConfig master(JsonObject root, BoundedFile files) {
    MasterConfig d = MasterConfig.defaults();
    MasterConfig.Follow follow = d.follow();
    Object followValue = section(root, "master").getValue("follow");
    if (followValue != null) {
      try {
        follow = MasterConfig.Follow.parse(followValue.toString());
      } catch (IllegalArgumentException e) {
        problem("master.follow", followValue, e.getMessage());
      }
    }
    String password = string(root, "master", "password", d.password());
    String fileName = string(root, "master", "passwordFile", "");
    Path passwordFile = null;
    if (!fileName.isEmpty()) {
      passwordFile = path(fileName);
      if (!password.isEmpty()) {
        problem("master.passwordFile", fileName, "set master.password or master.passwordFile, not both");
      } else {
        try {
          password = new String(files.read(passwordFile, "master.passwordFile"), StandardCharsets.UTF_8).trim();
          if (password.isEmpty()) {
            problem("master.passwordFile", fileName, "is empty; it must hold the password");
          }
        } catch (ConfigException e) {
          problems.addAll(e.problems());
        }
      }
    }
    int port = port(root, "master", "port", d.port());
    Duration interval = duration(root, "master", "interval", d.interval());
    if (interval.compareTo(MasterConfig.LEAST_INTERVAL) < 0) {
      problem("master.interval", section(root, "master").getValue("interval"),
        "must be at least " + MasterConfig.LEAST_INTERVAL.toMillis() + "ms: each list asks the master about every server");
      interval = d.interval();
    }
    List<String> hosts = new ArrayList<>();
    for (String host : items(section(root, "master").getValue("allowedHosts"))) {
      if (!ALLOWED_HOST.matcher(host).matches() || host.contains(":") && !host.startsWith("[")) {
        problem("master.allowedHosts", host, "each must be a host name or address, such as 10.0.0.12 (no port)");
      } else {
        hosts.add(host);
      }
    }
    return new MasterConfig(follow, string(root, "master", "host", d.host()), port,
      string(root, "master", "username", d.username()), password, passwordFile,
      bool(section(root, "master").getValue("md5"), "master.md5", d.md5()), interval, hosts);
  }

  private LimitsConfig limits(JsonObject root) {
    LimitsConfig d = LimitsConfig.defaults();
    return new LimitsConfig(
      count(root, "limits", "requestLine", d.requestLine(), 256),
      count(root, "limits", "headerSize", d.headerSize(), 1024),
      count(root, "limits", "headerCount", d.headerCount(), 0),
      duration(root, "limits", "requestHeadTimeout", d.requestHeadTimeout()),
      duration(root, "limits", "tlsHandshakeTimeout", d.tlsHandshakeTimeout()),
      count(root, "limits", "connections", d.connections(), 0),
      count(root, "limits", "connectionsPerAddress", d.connectionsPerAddress(), 0),
      count(root, "limits", "connectionRatePerAddress", d.connectionRatePerAddress(), 0),
      duration(root, "limits", "keepAliveTimeout", d.keepAliveTimeout()),
      ipv6Prefix(root, d.ipv6Prefix()));
  }

  /** A list of host names, each maybe with a port, or one string with commas between them (an environment variable). */
  private List<String> allowedHosts(Object value) {
    List<String> hosts = new ArrayList<>();
    for (String item : items(value)) {
      if (!ALLOWED_HOST.matcher(item).matches() || portOf(item) > 65535) {
        problem("admin.allowedHosts", item,
          "each must be a host name, or host:port, such as admin.example.com or admin.example.com:8443 "
            + "(no scheme, no path, no wildcard)");
      } else {
        hosts.add(item);
      }
    }
    return hosts;
  }

  private static int portOf(String hostAndPort) {
    int colon = hostAndPort.lastIndexOf(':');
    return colon < 0 || hostAndPort.endsWith("]") ? -1 : Integer.parseInt(hostAndPort.substring(colon + 1));
  }

  /** A list's items, or a string's comma-separated parts, trimmed; [] when absent. */
  private static List<String> items(Object value) {
    List<String> items = new ArrayList<>();
    if (value == null) {
      return items;
    }
    for (Object item : value instanceof JsonArray array ? array.getList() : List.of(value.toString().split(","))) {
      items.add(item == null ? "" : item.toString().trim());
    }
    return items;
  }

  /** The PROXY protocol sources, its header timeout and the trusted forwarders. */
  private ClientsConfig clients(JsonObject root) {
    ClientsConfig d = ClientsConfig.defaults();
    Object proxyProtocol = section(root, "clients").getValue("proxyProtocol");
    JsonObject nested = proxyProtocol instanceof JsonObject object ? object : new JsonObject();
    if (proxyProtocol != null && !(proxyProtocol instanceof JsonObject)) {
      problem("clients.proxyProtocol", proxyProtocol, "must be a mapping with trustedSources and headerTimeout");
    } else {
      checkKeys(nested, "clients.proxyProtocol", ConfigSection.CLIENTS.innerKeys("proxyProtocol"));
    }
    Duration headerTimeout = d.proxyHeaderTimeout();
    Object timeout = nested.getValue("headerTimeout");
    if (timeout != null) {
      try {
        headerTimeout = Durations.parse(timeout.toString());
        if (headerTimeout.isZero()) {
          problem("clients.proxyProtocol.headerTimeout", timeout, "must be more than 0");
        }
      } catch (IllegalArgumentException e) {
        problem("clients.proxyProtocol.headerTimeout", timeout, e.getMessage());
      }
    }
    return new ClientsConfig(networks(nested.getValue("trustedSources"), "clients.proxyProtocol.trustedSources"),
      headerTimeout, networks(section(root, "clients").getValue("trustedForwarders"), "clients.trustedForwarders"));
  }

  /** A list of CIDRs or addresses, or one string with commas between them; each is checked, as written is kept. */
  private List<String> networks(Object value, String place) {
    List<String> networks = new ArrayList<>();
    for (String item : items(value)) {
      try {
        Network.parse(item);
        networks.add(item);
      } catch (IllegalArgumentException e) {
        problem(place, item, e.getMessage());
      }
    }
    return networks;
  }

  /** A list of key exchange names, or one string with commas between them; the defaults when absent. */
  private List<KeyExchangeGroup> groups(Object value) {
    if (value == null) {
      return KeyExchangeGroup.DEFAULTS;
    }
    List<KeyExchangeGroup> groups = new ArrayList<>();
    List<String> names = items(value);
    for (int i = 0; i < names.size(); i++) {
      String place = "tls.groups[" + i + "]";
      KeyExchangeGroup group = KeyExchangeGroup.named(names.get(i));
      if (group == null) {
        problem(place, names.get(i), "must be one of " + KeyExchangeGroup.names());
      } else if (groups.contains(group)) {
        problem(place, names.get(i), "names a group already in the list");
      } else {
        groups.add(group);
      }
    }
    if (names.isEmpty()) {
      problem("tls.groups", value, "must name at least one group, or be left out for the defaults");
    }
    return groups.isEmpty() ? KeyExchangeGroup.DEFAULTS : groups;
  }

  /** A list of appids, or one string with commas between them (what an environment variable can hold). */
  private List<String> appIds(Object value) {
    List<String> ids = new ArrayList<>();
    if (value == null) {
      return ids;
    }
    List<?> items = value instanceof JsonArray array ? array.getList() : List.of(value.toString().split(","));
    for (Object item : items) {
      String id = item == null ? "" : item.toString().trim();
      if (!id.matches("[A-Za-z0-9_-]+")) {
        problem("wechat.appIds", item, "each must be an appid such as wx0123456789abcdef");
      } else {
        ids.add(id);
      }
    }
    return ids;
  }

  /** {@code $STATE_DIRECTORY} (set by systemd's StateDirectory=), else the XDG state directory. */
  static Path defaultStateDir(Map<String, String> env) {
    String systemd = env.get("STATE_DIRECTORY");
    if (systemd != null && !systemd.isBlank()) {
      // systemd may pass several, separated by ':'; ours is the first.
      return Path.of(systemd.split(":")[0]);
    }
    String xdg = env.get("XDG_STATE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
      : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".local", "state");
    return base.resolve("pomelo-sidecar");
  }

  private List<CertificateConfig> certificates(Object value) {
    List<CertificateConfig> result = new ArrayList<>();
    if (value == null) {
      return result;
    }
    if (!(value instanceof JsonArray array)) {
      problem("tls.certificates", value, "must be a list of {certFile, keyFile} or {keystore, password}");
      return result;
    }
    for (int i = 0; i < array.size(); i++) {
      String place = "tls.certificates[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject c)) {
        problem(place, array.getValue(i), "must be {certFile, keyFile} or {keystore, password}");
        continue;
      }
      checkKeys(c, place, ConfigSection.TLS.innerKeys("certificates"));
      String cert = text(c.getValue("certFile"), place + ".certFile");
      String key = text(c.getValue("keyFile"), place + ".keyFile");
      String keystore = text(c.getValue("keystore"), place + ".keystore");
      String password = text(c.getValue("password"), place + ".password");
      if (keystore != null && !keystore.isEmpty()) {
        if (cert != null || key != null) {
          problem(place, null, "set either certFile and keyFile, or keystore, not both");
        }
        result.add(new CertificateConfig(null, null, path(keystore), password == null ? "" : password));
      } else if (cert != null && !cert.isEmpty() && key != null && !key.isEmpty()) {
        result.add(CertificateConfig.pem(path(cert), path(key)));
      } else {
        problem(place, null, "needs certFile and keyFile (PEM), or keystore (PKCS#12)");
      }
    }
    return result;
  }

  /** {@code tls.acme}, or null when absent; its files are only named here, read when the sidecar starts. */
  private AcmeConfig acme(Object value, ListenerConfig listen) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof JsonObject o)) {
      problem("tls.acme", value, "must be a mapping with directory, email, agreeToTerms, domains and the rest");
      return null;
    }
    checkKeys(o, "tls.acme", ConfigSection.TLS.innerKeys("acme"));
    String directoryText = text(o.getValue("directory"), "tls.acme.directory");
    URI directory = AcmeConfig.LETS_ENCRYPT;
    if (directoryText != null) {
      try {
        directory = new URI(directoryText.trim());
        if (!"https".equals(directory.getScheme()) || directory.getHost() == null) {
          problem("tls.acme.directory", directoryText, "must be an https:// URL of the CA's ACME directory");
        }
      } catch (URISyntaxException e) {
        problem("tls.acme.directory", directoryText, "must be an https:// URL of the CA's ACME directory");
      }
    }
    String email = text(o.getValue("email"), "tls.acme.email");
    if (email != null && !email.matches("[^@\\s:,]+@[A-Za-z0-9.-]+")) {
      problem("tls.acme.email", email, "must be one e-mail address such as ops@example.com");
    }
    boolean terms = bool(o.getValue("agreeToTerms"), "tls.acme.agreeToTerms", false);
    if (!terms) {
      problem("tls.acme.agreeToTerms", o.getValue("agreeToTerms"),
        "must be true: ordering a certificate accepts the CA's terms of service (read them at its directory's "
          + "meta.termsOfService)");
    }
    List<String> domains = new ArrayList<>();
    for (String name : items(o.getValue("domains"))) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!lower.matches("(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?")) {
        problem("tls.acme.domains", name, "each must be a DNS name such as game.example.com");
      } else if (lower.startsWith("*.")) {
        problem("tls.acme.domains", name, "a wildcard needs the DNS-01 challenge, which the sidecar does not answer");
      } else if (!domains.contains(lower)) {
        domains.add(lower);
      }
    }
    if (domains.isEmpty() && problems.stream().noneMatch(p -> p.place().equals("tls.acme.domains"))) {
      problem("tls.acme.domains", o.getValue("domains"), "must name at least one DNS name");
    }
    AcmeConfig.KeyType keyType = named(o.getValue("keyType"), "tls.acme.keyType", AcmeConfig.KeyType.values(),
      AcmeConfig.KeyType::yamlName, AcmeConfig.KeyType.EC256);
    AcmeConfig.Challenge challenge = named(o.getValue("challenge"), "tls.acme.challenge",
      AcmeConfig.Challenge.values(), AcmeConfig.Challenge::yamlName, AcmeConfig.Challenge.TLS_ALPN_01);
    JsonObject acmeRoot = new JsonObject().put("acme", o);
    String httpHost = string(acmeRoot, "acme", "httpHost", listen.host());
    int httpPort = o.getValue("httpPort") == null ? (challenge == AcmeConfig.Challenge.HTTP_01 ? 80 : -1)
      : port(acmeRoot, "acme", "httpPort", -1);
    if (challenge == AcmeConfig.Challenge.HTTP_01 && httpPort < 0) {
      problem("tls.acme.httpPort", o.getValue("httpPort"), "is needed for the http-01 challenge");
    }
    String ca = text(o.getValue("caCertificates"), "tls.acme.caCertificates");
    String keyId = text(o.getValue("externalAccountKeyId"), "tls.acme.externalAccountKeyId");
    String keyFile = text(o.getValue("externalAccountKeyFile"), "tls.acme.externalAccountKeyFile");
    if ((keyId == null) != (keyFile == null)) {
      problem("tls.acme.externalAccountKeyId", keyId,
        "an external account binding needs both externalAccountKeyId and externalAccountKeyFile");
    }
    return new AcmeConfig(directory, email, terms, domains, keyType, challenge, httpHost, httpPort,
      ca == null || ca.isEmpty() ? null : path(ca), keyId, keyFile == null || keyFile.isEmpty() ? null : path(keyFile));
  }

  /** One of {@code choices} by its sidecar.yaml name, or {@code fallback} when absent. */
  private <T> T named(Object value, String place, T[] choices, Function<T, String> name,
                      T fallback) {
    if (value == null) {
      return fallback;
    }
    for (T choice : choices) {
      if (name.apply(choice).equalsIgnoreCase(value.toString().trim())) {
        return choice;
      }
    }
    problem(place, value, "must be one of " + Arrays.stream(choices).map(name).toList());
    return fallback;
  }

  /** {@code proxy.backendTls}: the CA bundle is read and parsed now, so a bad one is a problem at start or reload. */
  private BackendTlsConfig backendTls(Object value, BoundedFile files) {
    if (value == null) {
      return BackendTlsConfig.defaults();
    }
    if (!(value instanceof JsonObject o)) {
      problem("proxy.backendTls", value, "must be a mapping with caFile and/or insecure");
      return BackendTlsConfig.defaults();
    }
    checkKeys(o, "proxy.backendTls", ConfigSection.PROXY.innerKeys("backendTls"));
    boolean insecure = bool(o.getValue("insecure"), "proxy.backendTls.insecure", BackendTlsConfig.defaults().insecure());
    String name = text(o.getValue("caFile"), "proxy.backendTls.caFile");
    if (name == null || name.isEmpty()) {
      return new BackendTlsConfig(null, List.of(), insecure);
    }
    Path caFile = path(name);
    List<X509Certificate> authorities = new ArrayList<>();
    try {
      byte[] pem = files.read(caFile, "proxy.backendTls.caFile");
      for (var certificate : CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem))) {
        authorities.add((X509Certificate) certificate);
      }
      if (authorities.isEmpty()) {
        problem("proxy.backendTls.caFile", caFile, "holds no PEM certificate; it must be a bundle of CA certificates");
      }
    } catch (ConfigException e) {
      problems.addAll(e.problems());
    } catch (CertificateException e) {
      problem("proxy.backendTls.caFile", caFile, "must be a bundle of PEM CA certificates (" + e.getMessage() + ")");
    }
    return new BackendTlsConfig(caFile, authorities, insecure);
  }

  /** {@code tls} and {@code tlsServerName} where they may appear: a type, a server, an alias. */
  private BackendTls backendTls(JsonObject settings, String place) {
    String serverName = text(settings.getValue("tlsServerName"), place + ".tlsServerName");
    if (serverName != null && !ALLOWED_HOST.matcher(serverName).matches()) {
      problem(place + ".tlsServerName", serverName, "must be a DNS name or an IP address");
      serverName = null;
    }
    return new BackendTls(optionalBool(settings.getValue("tls"), place + ".tls"), serverName);
  }

  private RoutesConfig routes(JsonObject routes) {
    RoutesConfig defaults = RoutesConfig.defaults();
    boolean strip = bool(routes.getValue("stripPrefix"), "routes.stripPrefix", defaults.stripPrefix());
    DialAddress dial = dial(routes.getValue("dial"), "routes.dial", defaults.dial());
    boolean webSocketOnly = bool(routes.getValue("webSocketOnly"), "routes.webSocketOnly", defaults.webSocketOnly());
    Duration idleTimeout = idleTimeout(routes.getValue("idleTimeout"), "routes.idleTimeout", defaults.idleTimeout());
    Map<String, TypeRoutesConfig> types = new LinkedHashMap<>();
    Object typesValue = routes.getValue("types");
    if (typesValue instanceof JsonObject typesObject) {
      for (String type : typesObject.fieldNames()) {
        String place = "routes.types." + type;
        if (!(typesObject.getValue(type) instanceof JsonObject t)) {
          problem(place, typesObject.getValue(type),
            "must be a mapping with stripPrefix, dial, webSocketOnly, idleTimeout, tls and/or tlsServerName");
          continue;
        }
        checkKeys(t, place, ConfigSection.ROUTES.innerKeys("types"));
        types.put(type, new TypeRoutesConfig(
          optionalBool(t.getValue("stripPrefix"), place + ".stripPrefix"),
          dial(t.getValue("dial"), place + ".dial", null),
          optionalBool(t.getValue("webSocketOnly"), place + ".webSocketOnly"),
          t.getValue("idleTimeout") == null ? null
            : idleTimeout(t.getValue("idleTimeout"), place + ".idleTimeout", defaults.idleTimeout()),
          backendTls(t, place)));
      }
    } else if (typesValue != null) {
      problem("routes.types", typesValue, "must be a mapping from server type to settings");
    }
    Map<String, ServerRoutesConfig> servers = new LinkedHashMap<>();
    Object serversValue = routes.getValue("servers");
    if (serversValue instanceof JsonObject serversObject) {
      for (String id : serversObject.fieldNames()) {
        String place = "routes.servers." + id;
        if (!(serversObject.getValue(id) instanceof JsonObject server)) {
          problem(place, serversObject.getValue(id), "must be a mapping with tls and/or tlsServerName");
          continue;
        }
        checkKeys(server, place, ConfigSection.ROUTES.innerKeys("servers"));
        servers.put(id, new ServerRoutesConfig(backendTls(server, place)));
      }
    } else if (serversValue != null) {
      problem("routes.servers", serversValue, "must be a mapping from server id to settings");
    }
    List<AliasConfig> aliases = new ArrayList<>();
    Object aliasesValue = routes.getValue("aliases");
    if (aliasesValue instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        String place = "routes.aliases[" + i + "]";
        if (!(array.getValue(i) instanceof JsonObject a)) {
          problem(place, array.getValue(i), "must be {path, serverType} or {path, serverId}");
          continue;
        }
        checkKeys(a, place, ConfigSection.ROUTES.innerKeys("aliases"));
        String path = text(a.getValue("path"), place + ".path");
        String type = text(a.getValue("serverType"), place + ".serverType");
        String id = text(a.getValue("serverId"), place + ".serverId");
        if (path == null || !path.startsWith("/") || path.equals("/") || path.contains("//")
          || path.contains("/../") || path.contains("/./") || path.contains("?") || path.contains("#")) {
          problem(place + ".path", path, "must be a path such as /conn/ (not / itself, no '..', '?' or '#')");
          continue;
        }
        if ((type == null) == (id == null)) {
          problem(place, null, "needs exactly one of serverType and serverId");
          continue;
        }
        Boolean aliasStrip = optionalBool(a.getValue("stripPrefix"), place + ".stripPrefix");
        aliases.add(new AliasConfig(path.endsWith("/") ? path : path + "/", type, id, aliasStrip,
          backendTls(a, place)));
      }
    } else if (aliasesValue != null) {
      problem("routes.aliases", aliasesValue, "must be a list");
    }
    Map<String, String> overrides = new LinkedHashMap<>();
    Object overridesValue = routes.getValue("hostOverrides");
    if (overridesValue instanceof JsonObject o) {
      for (String host : o.fieldNames()) {
        String to = text(o.getValue(host), "routes.hostOverrides." + host);
        if (to != null) {
          overrides.put(host, to);
        }
      }
    } else if (overridesValue != null) {
      problem("routes.hostOverrides", overridesValue, "must be a mapping from host to host");
    }
    return new RoutesConfig(strip, dial, types, aliases, overrides, webSocketOnly, idleTimeout,
      bool(routes.getValue("clientPortPaths"), "routes.clientPortPaths", defaults.clientPortPaths()), servers);
  }

  private ReloadConfig.RemovedRoutes removedRoutes(Object value) {
    ReloadConfig.RemovedRoutes fallback = ReloadConfig.defaults().removedRoutes();
    if (value == null) {
      return fallback;
    }
    try {
      return ReloadConfig.RemovedRoutes.parse(value.toString());
    } catch (IllegalArgumentException e) {
      problem("reload.removedRoutes", value, e.getMessage());
      return fallback;
    }
  }

  private long maxFileSize(Object value) {
    long fallback = ReloadConfig.defaults().maxFileSize();
    if (value == null) {
      return fallback;
    }
    try {
      long bytes = Sizes.parse(value.toString());
      if (bytes > 0 && bytes <= ReloadConfig.MOST_MAX_FILE_SIZE) {
        return bytes;
      }
      problem("reload.maxFileSize", value, "must be more than 0 and at most 1GiB");
    } catch (IllegalArgumentException e) {
      problem("reload.maxFileSize", value, e.getMessage());
    }
    return fallback;
  }

  private JsonObject section(JsonObject root, String name) {
    return root.getValue(name) instanceof JsonObject o ? o : new JsonObject();
  }

  private String string(JsonObject root, String section, String key, String fallback) {
    String value = text(section(root, section).getValue(key), section + "." + key);
    return value == null ? fallback : value;
  }

  private String text(Object value, String place) {
    if (value == null) {
      return null;
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      problem(place, value, "must be a single value");
      return null;
    }
    return value.toString();
  }

  private int port(JsonObject root, String section, String key, int fallback) {
    Object value = section(root, section).getValue(key);
    if (value == null) {
      return fallback;
    }
    try {
      int port = value instanceof Number n && n.doubleValue() == n.intValue() ? n.intValue()
        : Integer.parseInt(value.toString().trim());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(section + "." + key, value, "must be a port number from 0 to 65535");
    return fallback;
  }

  private boolean bool(Object value, String place, boolean fallback) {
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    if (value.toString().equals("true") || value.toString().equals("false")) {
      return Boolean.parseBoolean(value.toString());
    }
    problem(place, value, "must be true or false");
    return fallback;
  }

  /** Null when absent: the setting then inherits (per type, per alias). */
  private Boolean optionalBool(Object value, String place) {
    return value == null ? null : bool(value, place, false);
  }

  private DialAddress dial(Object value, String place, DialAddress fallback) {
    if (value == null) {
      return fallback;
    }
    try {
      return DialAddress.parse(value.toString());
    } catch (IllegalArgumentException e) {
      problem(place, value, e.getMessage());
      return fallback;
    }
  }

  private Duration duration(JsonObject root, String section, String key, Duration fallback) {
    Object value = section(root, section).getValue(key);
    if (value == null) {
      return fallback;
    }
    try {
      Duration d = Durations.parse(value.toString());
      if (!d.isZero()) {
        return d;
      }
    } catch (IllegalArgumentException e) {
      problem(section + "." + key, value, e.getMessage());
      return fallback;
    }
    problem(section + "." + key, value, "must be more than 0");
    return fallback;
  }

  /** A duration where 0 is allowed and turns the thing off. */
  private Duration durationOrZero(JsonObject root, String section, String key, Duration fallback) {
    Object value = section(root, section).getValue(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Durations.parse(value.toString());
    } catch (IllegalArgumentException e) {
      problem(section + "." + key, value, e.getMessage());
      return fallback;
    }
  }

  /** A duration where 0 (or {@code none}) means "no idle timeout". */
  private Duration idleTimeout(Object value, String place, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    if (value.toString().trim().equals("none")) {
      return Duration.ZERO;
    }
    try {
      return Durations.parse(value.toString());
    } catch (IllegalArgumentException e) {
      problem(place, value, e.getMessage() + ", or 0 for none");
      return fallback;
    }
  }

  /** A whole number of at least {@code min}; 0 is allowed too where {@code min} is 0 (the limit is then off). */
  private int count(JsonObject root, String section, String key, int fallback, int min) {
    Object value = section(root, section).getValue(key);
    if (value == null) {
      return fallback;
    }
    try {
      long n = value instanceof Number number && number.doubleValue() == number.longValue() ? number.longValue()
        : Long.parseLong(value.toString().trim());
      if (n >= min && n <= Integer.MAX_VALUE) {
        return (int) n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(section + "." + key, value, min == 0 ? "must be a whole number, 0 to turn the limit off"
      : "must be a whole number of at least " + min);
    return fallback;
  }

  /** limits.ipv6Prefix: how many leading bits of an IPv6 address make one client for the per-address limits. */
  private int ipv6Prefix(JsonObject root, int fallback) {
    int bits = count(root, "limits", "ipv6Prefix", fallback, 1);
    if (bits > 128) {
      problem("limits.ipv6Prefix", bits, "must be a prefix length from 1 to 128");
      return fallback;
    }
    return bits;
  }

  private Path path(String text) {
    Path p = Path.of(text);
    return p.isAbsolute() ? p : baseDir.resolve(p).normalize();
  }

  private void checkKeys(JsonObject object, String place, Set<String> allowed) {
    for (String key : object.fieldNames()) {
      if (!allowed.contains(key)) {
        problem(place.isEmpty() ? key : place + "." + key, null,
          "unknown key; known here: " + String.join(", ", new java.util.TreeSet<>(allowed)));
      }
    }
  }

  private void problem(String place, Object value, String rule) {
    String source = sources.getOrDefault(place, file);
    String shown = value == null ? null
      : place.endsWith("password") || place.equals("admin.token") ? "(hidden)" : String.valueOf(value);
    problems.add(new ConfigProblem(source, place, shown, rule));
  }
}
