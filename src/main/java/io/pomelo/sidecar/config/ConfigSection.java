package io.pomelo.sidecar.config;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The sections of sidecar.yaml, the one place the schema is written: each section's keys and their shapes, whether a
 * reload applies it or only a restart does, and which part of {@link SidecarConfig} it becomes. The reader checks
 * keys against it, the overrides find key names in it, and a reload adopts exactly its {@link Applies#LIVE} sections.
 */
public enum ConfigSection {
  LISTEN("listen", Applies.RESTART, SidecarConfig::listen, (b, c) -> b.listen(c.listen()),
    Key.value("host"), Key.value("port")),
  TLS("tls", Applies.LIVE, SidecarConfig::tls, (b, c) -> b.tls(c.tls()),
    Key.items("certificates", "certFile", "keyFile", "keystore", "password"), Key.value("sessionTicketKeys"),
    Key.value("groups"),
    Key.nested("acme", "directory", "email", "agreeToTerms", "domains", "keyType", "challenge", "httpHost",
      "httpPort", "caCertificates", "externalAccountKeyId", "externalAccountKeyFile")),
  POMELO("pomelo", Applies.LIVE, SidecarConfig::pomelo, (b, c) -> b.pomelo(c.pomelo()),
    Key.value("serversFile"), Key.value("environment")),
  ROUTES("routes", Applies.LIVE, SidecarConfig::routes, (b, c) -> b.routes(c.routes()),
    Key.value("stripPrefix"), Key.value("dial"), Key.value("webSocketOnly"), Key.value("idleTimeout"),
    Key.value("clientPortPaths"),
    Key.items("types", "stripPrefix", "dial", "webSocketOnly", "idleTimeout", "tls", "tlsServerName"),
    Key.items("servers", "tls", "tlsServerName"),
    Key.items("aliases", "path", "serverType", "serverId", "stripPrefix", "tls", "tlsServerName"),
    Key.freeMap("hostOverrides")),
  PROXY("proxy", Applies.RESTART, SidecarConfig::proxy, (b, c) -> b.proxy(c.proxy()),
    Key.value("connectTimeout"), Key.value("upgradeTimeout"), Key.value("responseTimeout"),
    Key.nested("backendTls", "caFile", "insecure")),
  ADMIN("admin", Applies.RESTART, SidecarConfig::admin, (b, c) -> b.admin(c.admin()),
    Key.value("host"), Key.value("port"), Key.value("token"), Key.value("tokenFile"), Key.value("allowedHosts"),
    Key.value("maxConnections"), Key.value("idleTimeout")),
  RELOAD("reload", Applies.LIVE, SidecarConfig::reload, (b, c) -> b.reload(c.reload()),
    Key.value("watch"), Key.value("removedRoutes"), Key.value("closeAfter"), Key.value("maxFileSize")),
  SHUTDOWN("shutdown", Applies.RESTART, SidecarConfig::shutdown, (b, c) -> b.shutdown(c.shutdown()),
    Key.value("lameDuck"), Key.value("drain")),
  STATE("state", Applies.RESTART, SidecarConfig::stateDir, (b, c) -> b.stateDir(c.stateDir()),
    Key.value("dir")),
  HEALTH("health", Applies.RESTART, SidecarConfig::health, (b, c) -> b.health(c.health()),
    Key.value("enabled"), Key.value("interval"), Key.value("timeout")),
  ACCESS_LOG("accessLog", Applies.RESTART, SidecarConfig::accessLog, (b, c) -> b.accessLog(c.accessLog()),
    Key.value("enabled")),
  LIMITS("limits", Applies.RESTART, SidecarConfig::limits, (b, c) -> b.limits(c.limits()),
    Key.value("requestLine"), Key.value("headerSize"), Key.value("headerCount"), Key.value("requestHeadTimeout"),
    Key.value("tlsHandshakeTimeout"), Key.value("connections"), Key.value("connectionsPerAddress"),
    Key.value("connectionRatePerAddress"), Key.value("keepAliveTimeout"), Key.value("ipv6Prefix")),
  CLIENTS("clients", Applies.RESTART, SidecarConfig::clients, (b, c) -> b.clients(c.clients()),
    Key.nested("proxyProtocol", "trustedSources", "headerTimeout"), Key.value("trustedForwarders")),
  WECHAT("wechat", Applies.RESTART, SidecarConfig::wechat, (b, c) -> b.wechat(c.wechat()),
    Key.value("appIds"), Key.value("allowDevelopment")),
  MASTER("master", Applies.RESTART, SidecarConfig::master, (b, c) -> b.master(c.master()),
    Key.value("follow"), Key.value("host"), Key.value("port"), Key.value("username"), Key.value("password"),
    Key.value("passwordFile"), Key.value("md5"), Key.value("interval"), Key.value("allowedHosts"));

  /** When a changed section takes effect. */
  public enum Applies {
    /** At the next reload, with the files it names. */
    LIVE,
    /** Only at the next start: a reload that sees it changed says so and keeps the running value. */
    RESTART
  }

  /** How a key's value is written, which decides how it is checked and how an override reaches it. */
  enum Shape {
    /** One value; an override may set it even when the file does not mention it. */
    VALUE,
    /** A mapping with fixed keys. */
    NESTED,
    /** A list or a mapping of entries, each a mapping with fixed keys. */
    ITEMS,
    /** A mapping whose keys are the user's (host names). */
    FREE_MAP
  }

  /** One key of a section; {@code inner} holds the keys of a nested mapping or of each entry. */
  record Key(String name, Shape shape, Set<String> inner) {

    static Key value(String name) {
      return new Key(name, Shape.VALUE, Set.of());
    }

    static Key nested(String name, String... inner) {
      return new Key(name, Shape.NESTED, Set.of(inner));
    }

    static Key items(String name, String... inner) {
      return new Key(name, Shape.ITEMS, Set.of(inner));
    }

    static Key freeMap(String name) {
      return new Key(name, Shape.FREE_MAP, Set.of());
    }
  }

  private final String yamlName;
  private final Applies applies;
  private final Function<SidecarConfig, Object> part;
  private final BiConsumer<SidecarConfig.Builder, SidecarConfig> copy;
  private final Map<String, Key> keys = new LinkedHashMap<>();

  ConfigSection(String yamlName, Applies applies, Function<SidecarConfig, Object> part,
                BiConsumer<SidecarConfig.Builder, SidecarConfig> copy, Key... keys) {
    this.yamlName = yamlName;
    this.applies = applies;
    this.part = part;
    this.copy = copy;
    Arrays.stream(keys).forEach(k -> this.keys.put(k.name(), k));
  }

  /** The section's name in sidecar.yaml. */
  public String yamlName() {
    return yamlName;
  }

  public Applies applies() {
    return applies;
  }

  /** The sections a reload applies. */
  public static Set<ConfigSection> live() {
    EnumSet<ConfigSection> live = EnumSet.noneOf(ConfigSection.class);
    Arrays.stream(values()).filter(s -> s.applies == Applies.LIVE).forEach(live::add);
    return live;
  }

  /** The sections' names in sidecar.yaml: the keys allowed at the top. */
  static Set<String> yamlNames() {
    return new TreeSet<>(Arrays.stream(values()).map(ConfigSection::yamlName).toList());
  }

  Set<String> keyNames() {
    return keys.keySet();
  }

  /** The keys of {@code key}'s nested mapping or of each of its entries. */
  Set<String> innerKeys(String key) {
    return keys.get(key).inner();
  }

  /** Every path an override may name without the file mentioning it, as {@code section.key} or deeper. */
  static List<String> valuePaths() {
    return Arrays.stream(values()).flatMap(s -> s.keys.values().stream().flatMap(k -> switch (k.shape()) {
      case VALUE -> Stream.of(s.yamlName + "." + k.name());
      case NESTED -> k.inner().stream().sorted().map(inner -> s.yamlName + "." + k.name() + "." + inner);
      default -> Stream.<String>empty();
    })).toList();
  }

  /** The keys of list and map entries, which have no fixed path: an override matches them by name alone. */
  static Set<String> entryKeys() {
    Set<String> names = new TreeSet<>();
    Arrays.stream(values()).forEach(s -> s.keys.values().stream()
      .filter(k -> k.shape() == Shape.ITEMS || k.shape() == Shape.NESTED)
      .forEach(k -> {
        names.add(k.name());
        names.addAll(k.inner());
      }));
    return names;
  }

  /** This section's part of {@code config}, for comparing two configurations. */
  Object of(SidecarConfig config) {
    return part.apply(config);
  }

  /** Sets this section of {@code builder} to {@code from}'s. */
  void copy(SidecarConfig from, SidecarConfig.Builder builder) {
    copy.accept(builder, from);
  }
}
