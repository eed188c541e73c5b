package io.pomelo.sidecar.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pomelo.sidecar.config.BoundedFile;
import io.pomelo.sidecar.config.ConfigException;
import io.pomelo.sidecar.config.ConfigProblem;
import io.pomelo.sidecar.config.ReloadConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where Pomelo finds master.json and adminUser.json, what it takes from each, and how a bad one is reported. */
class MasterFilesTest {

  private static final String ADMIN_USERS = """
    [{"id": "user-1", "username": "admin", "password": "s3cret", "level": 1},
     {"id": "user-2", "username": "monitor", "password": "other", "level": 2}]""";

  @TempDir
  Path app;
  private Path config;

  @BeforeEach
  void configFolder() throws IOException {
    config = Files.createDirectories(app.resolve("config"));
  }

  @Test
  void environmentKeyedMasterJsonGivesTheEnvironmentsMasterAndTheFirstAdminUser() throws Exception {
    write("config/master.json", """
      {"development": {"id": "master-server-1", "host": "127.0.0.1", "port": 3005},
       "production": {"id": "master-prod", "host": "10.0.0.9", "port": 3105}}""");
    write("config/adminUser.json", ADMIN_USERS);

    Path masterJson = MasterFiles.findMasterJson(config, "production").orElseThrow();
    Path adminUserJson = MasterFiles.findAdminUserJson(config, "production").orElseThrow();

    assertThat(masterJson).isEqualTo(config.resolve("master.json"));
    assertThat(MasterFiles.readMasterJson(masterJson, "production"))
      .isEqualTo(new MasterFiles.MasterJson(masterJson, "master-prod", "10.0.0.9", 3105));
    assertThat(adminUserJson).isEqualTo(config.resolve("adminUser.json"));
    assertThat(MasterFiles.readAdminUsers(adminUserJson).get(0))
      .isEqualTo(new AdminCredentials("admin", "s3cret", true));
  }

  @Test
  void masterFilesAreHeldToTheConfiguredMaximumSize() throws Exception {
    Path master = write("config/master.json", """
      {"id": "master-server-1", "host": "192.168.1.5", "port": 3006}""");
    Path users = write("config/adminUser.json", ADMIN_USERS);
    BoundedFile small = BoundedFile.limitedBy(ReloadConfig.defaults().withMaxFileSize(16));

    ConfigException tooBig = catchThrowableOfType(ConfigException.class,
      () -> MasterFiles.readMasterJson(master, "production", small));
    ConfigException usersTooBig = catchThrowableOfType(ConfigException.class,
      () -> MasterFiles.readAdminUsers(users, small));

    assertThat(tooBig.getMessage()).contains(master.toString()).contains("reload.maxFileSize");
    assertThat(usersTooBig.getMessage()).contains(users.toString()).contains("reload.maxFileSize");
    assertThat(MasterFiles.readMasterJson(master, "production",
      BoundedFile.limitedBy(ReloadConfig.defaults())).port()).isEqualTo(3006);
  }

  @Test
  void aMasterJsonWithoutTheEnvironmentIsUsedWhole() throws Exception {
    Path file = write("config/master.json", """
      {"id": "master-server-1", "host": "192.168.1.5", "port": "3006"}""");

    MasterFiles.MasterJson master = MasterFiles.readMasterJson(file, "production");

    // Node's listen() takes a numeric string, so Pomelo does too.
    assertThat(master).isEqualTo(new MasterFiles.MasterJson(file, "master-server-1", "192.168.1.5", 3006));
  }

  @Test
  void theEnvironmentFolderIsReadOnlyWhenConfigHasNoSuchFile() throws Exception {
    write("config/production/master.json", """
      {"production": {"port": 1}, "id": "in-folder", "port": 3205}""");
    write("config/production/adminUser.json", ADMIN_USERS);

    Path masterJson = MasterFiles.findMasterJson(config, "production").orElseThrow();
    Path adminUserJson = MasterFiles.findAdminUserJson(config, "production").orElseThrow();

    // Used whole, as Pomelo uses config/<env>/master.json: the "production" member is just another key.
    assertThat(MasterFiles.readMasterJson(masterJson, "production")).isEqualTo(new MasterFiles.MasterJson(
      config.resolve("production/master.json"), "in-folder", MasterFiles.DEFAULT_HOST, 3205));
    assertThat(adminUserJson).isEqualTo(config.resolve("production/adminUser.json"));

    write("config/master.json", """
      {"production": {"port": 3305}}""");
    write("config/adminUser.json", "[{\"username\": \"beside\", \"password\": \"x\"}]");
    Path beside = MasterFiles.findMasterJson(config, "production").orElseThrow();
    assertThat(MasterFiles.readMasterJson(beside, "production").port()).isEqualTo(3305);
    assertThat(MasterFiles.readAdminUsers(MasterFiles.findAdminUserJson(config, "production").orElseThrow()).get(0)
      .username()).isEqualTo("beside");
  }

  @Test
  void noMasterJsonAnywhereIsNothingToFollow() throws Exception {
    write("config/adminUser.json", ADMIN_USERS);

    assertThat(MasterFiles.findMasterJson(config, "development")).isEmpty();
    assertThat(MasterFiles.findAdminUserJson(config, "development")).contains(config.resolve("adminUser.json"));
  }

  @Test
  void aMissingEnvironmentNamesTheOnesTheFileHas() throws Exception {
    Path file = write("config/master.json", """
      {"production": {"host": "10.0.0.9", "port": 3105}, "staging": {"port": 3106}}""");

    ConfigException e = catchThrowableOfType(ConfigException.class,
      () -> MasterFiles.readMasterJson(file, "development"));

    assertThat(e.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.file()).isEqualTo(file.toString());
      assertThat(problem.place()).isEqualTo("port");
      assertThat(problem.value()).isNull();
      assertThat(problem.rule()).contains("no environment \"development\"").contains("production, staging")
        .contains("random port");
    });
  }

  @Test
  void everyBadFieldIsNamedByItsJsonPlace() throws Exception {
    Path file = write("config/master.json", """
      {"development": {"id": 7, "host": "", "port": 70000}}""");

    ConfigException e = catchThrowableOfType(ConfigException.class,
      () -> MasterFiles.readMasterJson(file, "development"));

    assertThat(e.problems()).extracting(ConfigProblem::place, ConfigProblem::value).containsExactly(
      org.assertj.core.groups.Tuple.tuple("development.id", "7"),
      org.assertj.core.groups.Tuple.tuple("development.host", "\"\""),
      org.assertj.core.groups.Tuple.tuple("development.port", "70000"));
    assertThat(e.getMessage()).contains(file + ": development.port = 70000: must be a port number 1-65535");
  }

  @Test
  void aMissingPortSaysWhyItMatters() throws Exception {
    Path file = write("config/master.json", "{\"development\": {\"id\": \"master-server-1\"}}");

    ConfigException e = catchThrowableOfType(ConfigException.class,
      () -> MasterFiles.readMasterJson(file, "development"));

    assertThat(e.getMessage()).isEqualTo(file + ": development.port: missing: Pomelo's master would listen on a"
      + " random port, so nothing could find its admin console");
  }

  @Test
  void syntaxErrorsGiveLineAndColumn() throws Exception {
    Path file = write("config/master.json", "{\"development\": {\"port\": 3005,}}");

    ConfigException e = catchThrowableOfType(ConfigException.class,
      () -> MasterFiles.readMasterJson(file, "development"));

    assertThat(e.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.place()).isEqualTo("line 1, column 31");
      assertThat(problem.rule()).startsWith("is not valid JSON");
    });
  }

  @Test
  void adminUserJsonMustBeAnArrayWhoseFirstUserHasStrings() throws Exception {
    assertThat(problems("{\"username\": \"admin\", \"password\": \"admin\"}"))
      .extracting(ConfigProblem::place, ConfigProblem::rule).singleElement()
      .satisfies(problem -> assertThat(problem.toList()).containsExactly("", "must be a JSON array of users"
        + " [{\"id\": \"user-1\", \"username\": \"admin\", \"password\": \"admin\", \"level\": 1}]"));
    assertThat(problems("[]")).extracting(ConfigProblem::rule)
      .containsExactly("has no users; the master refuses every admin client");
    assertThat(problems("[{\"id\": \"user-1\", \"username\": \"\", \"password\": 1234}]"))
      .extracting(ConfigProblem::place, ConfigProblem::value).containsExactly(
        org.assertj.core.groups.Tuple.tuple("[0].username", "\"\""),
        org.assertj.core.groups.Tuple.tuple("[0].password", "(hidden)"));
    assertThat(problems("[\"admin\"]")).extracting(ConfigProblem::place).containsExactly("[0]");
  }

  @Test
  void everyUsableUserIsReadInOrder() throws Exception {
    Path file = write("config/adminUser.json", "\uFEFF" + ADMIN_USERS);

    assertThat(MasterFiles.readAdminUsers(file)).containsExactly(new AdminCredentials("admin", "s3cret", true),
      new AdminCredentials("monitor", "other", true));
  }

  @Test
  void theConfigFolderOfAServersJson() {
    assertThat(MasterFiles.configDirOf(app.resolve("config/servers.json"), "production")).isEqualTo(config);
    assertThat(MasterFiles.configDirOf(app.resolve("config/production/servers.json"), "production")).isEqualTo(config);
    assertThat(MasterFiles.configDirOf(app.resolve("config/development/servers.json"), "production"))
      .isEqualTo(config.resolve("development"));
  }

  @Test
  void thePasswordNeverShowsAndIsSentAsPomelosCliSendsIt() {
    AdminCredentials credentials = new AdminCredentials("admin", "admin", true);

    assertThat(credentials.toString()).doesNotContain("password=admin").contains("username=admin");
    // md5("admin"), what `pomelo list -p admin` sends with md5: true.
    assertThat(credentials.passwordToSend()).isEqualTo("21232f297a57a5a743894a0e4a801fc3");
    assertThat(new AdminCredentials("admin", "admin", false).passwordToSend()).isEqualTo("admin");
  }

  private List<ConfigProblem> problems(String adminUserJson) throws IOException {
    Path file = write("config/adminUser.json", adminUserJson);
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> MasterFiles.readAdminUsers(file));
    assertThat(e).as("a problem with " + adminUserJson).isNotNull();
    assertThat(e.problems()).allSatisfy(problem -> assertThat(problem.file()).isEqualTo(file.toString()));
    return e.problems();
  }

  private Path write(String relative, String content) throws IOException {
    Path file = app.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    return file;
  }
}
