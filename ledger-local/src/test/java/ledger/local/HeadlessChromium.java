package ledger.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real browser for a test class: Debian's headless Chromium driven through its chromedriver (Selenium
 * Manager cannot download drivers here, so both binaries are given). Register it as a static
 * {@code @RegisterExtension} field: it starts before the class's {@code @BeforeAll} methods, so a machine
 * without Chromium fails at once, with how to get it, instead of after starting a ledger. A missing browser
 * is a failure, never a skip: a browser test that skips itself proves nothing.
 */
final class HeadlessChromium implements BeforeAllCallback, AfterAllCallback {

    /** A viewport in CSS pixels; a mobile one honours the page's {@code <meta name="viewport">} as a phone does. */
    record Viewport(int width, int height, boolean mobile) {
    }

    static final Viewport PHONE = new Viewport(375, 812, true);
    static final Viewport DESKTOP = new Viewport(1280, 900, false);

    private static final Path BROWSER = Path.of(System.getProperty("ledger.chromium", "/usr/bin/chromium"));
    private static final Path DRIVER = Path.of(System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver"));

    private ChromeDriver driver;

    @Override
    public void beforeAll(ExtensionContext context) {
        for (Path binary : List.of(BROWSER, DRIVER)) {
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException("No " + binary + ": the browser tests drive headless Chromium. Install it"
                        + " with `sudo apt-get install -y chromium chromium-driver` (Debian/Ubuntu; .ci/run does this),"
                        + " or name another Chromium and its matching chromedriver with"
                        + " -Dledger.chromium=<path> -Dwebdriver.chrome.driver=<path>");
            }
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu");
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(), options);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (driver != null) {
            driver.quit();
        }
    }

    WebDriver driver() {
        return driver;
    }

    /** Emulated through the DevTools protocol: a window size would include the (invisible) browser frame. */
    void resize(Viewport viewport) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", viewport.width(),
                "height", viewport.height(), "deviceScaleFactor", 1, "mobile", viewport.mobile()));
    }

    /** Keeps what the browser shows now under {@code target/checkout/} for people to look at. */
    Path screenshot(String name) {
        Path target = Path.of("target", "checkout", name);
        try {
            Files.createDirectories(target.getParent());
            return Files.write(target, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
