package shop.reconciler.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import shop.reconciler.cli.CliRunner;
import shop.reconciler.support.MailServer;
import shop.reconciler.support.ReconcilerProcess;
import shop.reconciler.support.ServeUnderTest;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.SystemPackages;
import shop.reconciler.support.TestDatabase;

/**
 * The operator's path through the console in a real browser (headless Chromium or Chrome through
 * chromedriver, found or installed by {@link SystemPackages}: Debian's {@code chromium} and
 * {@code chromium-driver} on a fresh machine; Selenium Manager off, nothing is downloaded): sign in, look an order up,
 * every page at a phone's width without sideways scrolling, and on the phone, with the keyboard
 * only, filter the notifications and requeue the failed one, see it queued. Screenshots go to target/console-screenshots/.
 */
class ConsoleBrowserIntegrationTest {

    private static final Path SHOTS = Paths.get("target", "console-screenshots");
    private static final GreenMail SMTP = MailServer.start();

    private TestDatabase.DatabaseRef database;
    private ShopFixture shop;
    private ServeUnderTest node;
    private ReconcilerProcess serve;
    private ChromeDriver browser;
    private Path chromium;
    private Path chromedriver;
    private int port;

    @BeforeEach
    void freshShop() throws Exception {
        chromium = SystemPackages.requireOneOf(
                List.of("chromium", "chromium-browser", "google-chrome-stable", "google-chrome"), "chromium");
        chromedriver = SystemPackages.require("chromedriver", "chromium-driver");
        node = new ServeUnderTest("browser", SMTP);
        database = node.database;
        shop = node.shop;
        port = node.port();
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (node != null) {
            node.close();
        }
    }

    @AfterAll
    static void stopMail() {
        SMTP.stop();
    }

    @Test
    void anOperatorFindsAnOrderAndRequeuesItsFailedNotification() throws Exception {
        // given: a shop with one sent notification and one failed for an unusable address, since
        // corrected by the shop
        for (int i = 1; i <= 3; i++) {
            shop.processingOrder("B-100" + i, "b" + i + "@example.com", "completed");
        }
        shop.processingOrder("B-2001", "not an address", "completed");
        startServe("--reconciler.management.operator.password=" + ConsoleIntegrationTest.OPERATOR_SECRET);
        await(
                ReconcilerProcess.STARTED_WITHIN,
                () -> shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'failed'") == 1
                        && shop.count("SELECT COUNT(*) FROM order_notifications WHERE status = 'sent'") == 3);
        shop.jdbc().update("UPDATE orders SET user_email = 'fixed@example.com' WHERE order_code = 'B-2001'");
        browser = chromium();

        // when: the operator signs in (the login page fits a phone too)
        browser.get("http://127.0.0.1:" + port + "/console");
        assertThat(browser.getCurrentUrl()).endsWith("/console/login");
        assertFitsAPhone("login");
        browser.manage().window().setSize(new Dimension(1200, 900));
        browser.findElement(By.id("username")).sendKeys("operator");
        browser.findElement(By.id("password")).sendKeys(ConsoleIntegrationTest.OPERATOR_SECRET);
        shot("01-login");
        browser.findElement(By.cssSelector("form.login button")).click();
        assertThat(textOnceShown(By.tagName("h1"), "Overview")).isEqualTo("Overview");
        assertThat(browser.getPageSource()).contains("Last executions");
        shot("02-overview");

        // and: looks the order up
        browser.findElement(By.linkText("Order lookup")).click();
        browser.findElement(By.id("code")).sendKeys("B-2001");
        browser.findElement(By.cssSelector("form.filter button")).click();
        assertThat(textOnceShown(By.tagName("main"), "Order B-2001")).contains("Order B-2001", "completed", "failed");
        shot("03-order");

        // then: every page fits a phone's width, wide tables scrolling in their own box
        for (String page :
                List.of("/console", "/console/notifications", "/console/orders?code=B-2001", "/console/executions/1")) {
            browser.get("http://127.0.0.1:" + port + page);
            assertFitsAPhone(page);
        }
        shot("04-phone-execution");

        // when: on the phone, with the keyboard only, the operator filters the notifications by
        // their error and requeues the failed one
        browser.get("http://127.0.0.1:" + port + "/console/notifications");
        WebElement errorField = tabTo(e -> "error".equals(e.getAttribute("id")));
        assertFocusVisible(errorField);
        new Actions(browser).sendKeys("recipient").sendKeys(Keys.ENTER).perform();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("error=recipient"));
        String filtered = browser.findElement(By.tagName("main")).getText();
        assertThat(filtered).contains("B-2001").doesNotContain("B-1001");
        assertThat(browser.findElement(By.id("error")).getAttribute("value")).isEqualTo("recipient");
        WebElement requeueButton = tabTo(e -> "Requeue B-2001".equals(e.getAttribute("aria-label")));
        assertFocusVisible(requeueButton);
        shot("05-phone-keyboard-focus");
        new Actions(browser).sendKeys(Keys.ENTER).perform();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.urlContains("status=queued"));

        // then: it is queued (or already sent again by the next run)
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("requeued B-2001");
        assertFitsAPhone("after the requeue");
        shot("06-requeued");
        assertThat(shop.notification("B-2001").get("status")).isIn("queued", "sent");
        await(
                Duration.ofSeconds(60),
                () -> "sent".equals(shop.notification("B-2001").get("status")));
        assertThat(serve.output()).contains("console: operator requeue B-2001: requeued");
    }

    /**
     * The page at 390 px: the body does not scroll sideways, neither beyond the window
     * ({@code innerWidth}) nor beyond the width left beside a vertical scroll bar
     * ({@code clientWidth}).
     */
    private void assertFitsAPhone(String page) {
        browser.manage().window().setSize(new Dimension(390, 844));
        JavascriptExecutor js = browser;
        long innerWidth = ((Number) js.executeScript("return window.innerWidth")).longValue();
        long clientWidth = ((Number) js.executeScript("return document.documentElement.clientWidth")).longValue();
        long scrollWidth = ((Number) js.executeScript("return document.documentElement.scrollWidth")).longValue();
        Object overflowing = js.executeScript("""
                return Array.from(document.querySelectorAll('body *'))
                    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth
                                 && !e.closest('.scroll'))
                    .slice(0, 5).map(e => e.tagName + '.' + e.className).join(', ')""");
        assertThat(innerWidth).describedAs("the window's width for %s", page).isLessThanOrEqualTo(390);
        assertThat(scrollWidth)
                .describedAs("%s at %d px: the page's width (what overflows: %s)", page, innerWidth, overflowing)
                .isLessThanOrEqualTo(innerWidth)
                .isLessThanOrEqualTo(clientWidth);
    }

    /**
     * The element's text once the page that follows a click shows {@code expected} in it (the old
     * page's element goes stale while the new one loads); its last text if it never does.
     */
    private String textOnceShown(By locator, String expected) {
        String[] last = {""};
        try {
            new WebDriverWait(browser, Duration.ofSeconds(15)).until(d -> {
                try {
                    last[0] = d.findElement(locator).getText();
                    return last[0].contains(expected);
                } catch (org.openqa.selenium.StaleElementReferenceException
                        | org.openqa.selenium.NoSuchElementException e) {
                    return false;
                }
            });
        } catch (org.openqa.selenium.TimeoutException e) {
            // the assertion that follows says what the page showed
        }
        return last[0];
    }

    /** Presses Tab until the focused element matches; that element. */
    private WebElement tabTo(java.util.function.Predicate<WebElement> wanted) {
        for (int i = 0; i < 40; i++) {
            new Actions(browser).sendKeys(Keys.TAB).perform();
            WebElement focused = browser.switchTo().activeElement();
            if (wanted.test(focused)) {
                return focused;
            }
        }
        throw new AssertionError("not reached with 40 presses of Tab on " + browser.getCurrentUrl());
    }

    private void assertFocusVisible(WebElement focused) {
        assertThat(focused.getCssValue("outline-style"))
                .describedAs("the focus outline of %s", focused.getTagName())
                .isNotEqualTo("none");
        assertThat(focused.getCssValue("outline-width")).isNotEqualTo("0px");
    }

    private ChromeDriver chromium() throws Exception {
        System.setProperty("SE_MANAGER_PATH", "/nonexistent"); // never let Selenium Manager fetch a browser
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--window-size=1200,900",
                "--user-data-dir=" + Files.createTempDirectory("console-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().implicitlyWait(Duration.ofSeconds(5));
        driver.manage().window().setSize(new Dimension(1200, 900));
        return driver;
    }

    private void shot(String name) throws Exception {
        Path file = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(file, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private void startServe(String... extra) {
        serve = node.start(extra);
    }

    private void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        node.await(limit, condition);
    }

    private List<String> springArgs() {
        return node.springArgs();
    }

    private CliRunner.Result cli(String... args) {
        return node.cli(args);
    }
}
