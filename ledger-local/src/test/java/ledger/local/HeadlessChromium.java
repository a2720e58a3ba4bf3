package ledger.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.Dimension;
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

    static final Dimension PHONE = new Dimension(375, 812);
    static final Dimension DESKTOP = new Dimension(1280, 900);

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

    /** The viewport becomes {@code size} (headless, the window has no frame around it). */
    void resize(Dimension size) {
        driver.manage().window().setSize(size);
    }

    /** Keeps what the browser shows now under {@code target/checkout/} for people to look at. */
    Path screenshot(String name) {
        Path target = Path.of("target", "checkout", name);
        try {
            Files.createDirectories(target.getParent());
            return Files.move(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
