package io.pomelo.sidecar.admin;

import io.pomelo.sidecar.config.AdminConfig;
import io.pomelo.sidecar.config.HealthConfig;
import io.pomelo.sidecar.config.ListenerConfig;
import io.pomelo.sidecar.config.SidecarConfig;
import io.pomelo.sidecar.route.Route;
import io.pomelo.sidecar.run.Sidecar;
import io.pomelo.sidecar.state.ReloadRequest;
import io.pomelo.sidecar.testing.EchoBackend;
import io.pomelo.sidecar.testing.TestSidecar;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static io.pomelo.sidecar.testing.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser: Debian's chromium, headless, driven by its chromedriver. It loads with no console
 * error, shows every route of a running sidecar, shows a server going down and a failed reload within a few seconds
 * of the sidecar knowing, fits a phone's width, and asks for the token when one is configured. Leaves
 * target/dashboard.png (the README's docs/dashboard.png) and target/dashboard-phone.png.
 */
class DashboardBrowserTest {

  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  private static final String TOKEN = "dashboard-test-token";
  /** Two polls of the page (2 s each) and a few health checks (100 ms each), with room to spare. */
  private static final Duration SHOWN_WITHIN = Duration.ofSeconds(6);

  @TempDir
  static Path profile;
  private static ChromeDriver driver;

  @TempDir
  Path dir;
  private Vertx vertx;
  private TestSidecar fixture;
  private Map<String, EchoBackend> backends;
  private Path servers;

  @BeforeAll
  static void browser() {
    assertThat(new File(CHROMIUM).canExecute()).as("Debian's chromium at " + CHROMIUM + " (scripts/verify installs it)")
      .isTrue();
    assertThat(new File(CHROMEDRIVER).canExecute())
      .as("Debian's chromium-driver at " + CHROMEDRIVER + " (scripts/verify installs it)").isTrue();
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--user-data-dir=" + profile, "--window-size=1280,1500", "--no-first-run", "--disable-extensions");
    options.setCapability("goog:loggingPrefs", logs);
    // The driver named outright: Selenium Manager would otherwise try to download one.
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
      .usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
  }

  @AfterAll
  static void closeBrowser() {
    if (driver != null) {
      driver.quit();
    }
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    fixture = new TestSidecar(dir);
    backends = new LinkedHashMap<>();
    Map<String, Map.Entry<String, Integer>> frontends = new LinkedHashMap<>();
    for (String id : List.of("connector-server-1", "connector-server-2", "gate-server-1")) {
      String type = id.substring(0, id.indexOf('-'));
      EchoBackend backend = await(EchoBackend.start(vertx, id));
      backends.put(id, backend);
      frontends.put(id, Map.entry(type, backend.port()));
    }
    servers = fixture.serversJson(frontends);
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  private Sidecar sidecar(AdminConfig admin) throws Exception {
    SidecarConfig config = fixture.config(servers, List.of()).withAdmin(admin)
      .withHealth(new HealthConfig(true, Duration.ofMillis(100), Duration.ofMillis(500)));
    return await(fixture.start(vertx, config));
  }

  @Test
  void showsEveryRouteThenAServerDownThenAFailedReloadWithNoConsoleError() throws Exception {
    Sidecar sidecar = sidecar(new AdminConfig(new ListenerConfig("127.0.0.1", 0)));
    driver.manage().window().setSize(new Dimension(1280, 1000));
    driver.get("http://127.0.0.1:" + sidecar.adminPort() + "/");
    assertThat(driver.getCurrentUrl()).endsWith("/dashboard/");

    List<String> paths = sidecar.state().routes().table().routes().stream().map(Route::path).toList();
    assertThat(paths).contains("/connector/", "/gate/", "/connector-server-2/");
    WebDriverWait wait = new WebDriverWait(driver, SHOWN_WITHIN);
    wait.until(d -> shownRoutes().size() == paths.size());
    assertThat(shownRoutes()).containsExactlyElementsOf(paths);
    wait.until(d -> text("#attention").contains("Everything is fine"));
    assertThat(driver.findElement(By.cssSelector("#token")).isDisplayed()).isFalse();

    await(backends.get("connector-server-2").close());
    WebElement down = wait.until(ExpectedConditions.presenceOfElementLocated(
      By.cssSelector("[data-route='/connector-server-2/'] [data-server='connector-server-2'][data-state='down']")));
    assertThat(down.getText()).contains("down");
    wait.until(d -> text("#attention").contains("Server connector-server-2"));
    assertThat(driver.findElement(By.cssSelector("[data-route='/connector-server-2/']")).getAttribute("class"))
      .contains("bad");
    assertThat(driver.findElement(By.cssSelector("[data-route='/connector/']")).getAttribute("class"))
      .contains("warn");
    assertThat(driver.findElement(By.cssSelector("[data-route='/connector/'] [data-server='connector-server-1']"))
      .getAttribute("data-state")).isEqualTo("up");

    Files.writeString(servers, "{\"development\": {\"connector\": [{\"id\": \"connector-server-1\", \"host\": "
      + "\"127.0.0.1\", \"port\": 40000, \"clientPort\": \"not a port\", \"frontend\": true}]}}");
    await(sidecar.requestReload(ReloadRequest.everything("admin API")));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#reload[data-result='error']")));
    // The file watcher may see the write first; either reload keeps the table back.
    wait.until(d -> text("#attention").matches("(?s).*The last reload \\((admin API|files changed)\\) failed.*"));
    assertThat(text("#reload .errors")).contains("servers.json").contains("clientPort");

    // Tall enough for the reload, master and certificate cards below the routes.
    driver.manage().window().setSize(new Dimension(1280, 1500));
    screenshot("dashboard.png");
    assertThat(severe()).as("console errors").isEmpty();

    // On a phone the page is one column and nothing runs off the side.
    driver.manage().window().setSize(new Dimension(390, 844));
    wait.until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
      "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"));
    screenshot("dashboard-phone.png");
    assertThat(severe()).as("console errors").isEmpty();
  }

  @Test
  void withATokenThePageAsksForItAndSendsItOnEveryFetch() throws Exception {
    Sidecar sidecar = sidecar(new AdminConfig(new ListenerConfig("127.0.0.1", 0), TOKEN, null));
    driver.manage().window().setSize(new Dimension(1280, 1000));
    driver.get("http://127.0.0.1:" + sidecar.adminPort() + "/dashboard/");
    WebDriverWait wait = new WebDriverWait(driver, SHOWN_WITHIN);
    WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input")));
    assertThat(driver.findElement(By.id("content")).isDisplayed()).isFalse();

    field.sendKeys("not-the-token\n");
    wait.until(ExpectedConditions.textToBe(By.id("token-error"), "That token was refused."));

    driver.findElement(By.id("token-input")).sendKeys(TOKEN + "\n");
    wait.until(d -> shownRoutes().size() == sidecar.state().routes().table().routes().size());
    assertThat(driver.findElement(By.id("token")).isDisplayed()).isFalse();
    // Kept for this tab only: a reload of the page goes on without asking.
    driver.navigate().refresh();
    wait.until(d -> !shownRoutes().isEmpty());
    assertThat(driver.findElement(By.id("token")).isDisplayed()).isFalse();
    assertThat(severe()).as("console errors other than the API's 401s before the token was given")
      .allSatisfy(e -> assertThat(e.getMessage()).contains("401"));
  }

  private List<String> shownRoutes() {
    return driver.findElements(By.cssSelector("#routes [data-route]")).stream()
      .map(e -> e.getAttribute("data-route")).toList();
  }

  private String text(String css) {
    return driver.findElement(By.cssSelector(css)).getText();
  }

  private static List<LogEntry> severe() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
      .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
  }

  private static void screenshot(String name) throws Exception {
    Path target = Path.of(System.getProperty("sidecar.project.dir", "."), "target", name);
    Files.createDirectories(target.getParent());
    Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), target,
      StandardCopyOption.REPLACE_EXISTING);
  }
}
