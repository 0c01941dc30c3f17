package io.github.multilevelcache.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;

import io.github.multilevelcache.CacheInstance;
import io.github.multilevelcache.CacheStatistics;
import io.github.multilevelcache.test.PrivateRedis;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README, "Dashboard": the page served at {@code /actuator/multilevelcache/dashboard} in
 * a real browser (Debian's {@code chromium} driven by {@code chromedriver}, headless),
 * over two instances sharing a Redis of the test's own. It loads without console errors
 * and names the instance that answered; under traffic its hit-rate series grows and its
 * figures are the endpoint's; its "clear" button empties the other instance's L1; with
 * Redis stopped its degraded banner appears within the heartbeat and goes once Redis is
 * back. A screenshot of the page under load is saved under
 * {@code target/dashboard/dashboard.png}.
 * <p>
 * Skipped, saying why, where no chromium is installed, except on CI ({@code CI=true}),
 * whose {@code .ci/run} installs it: there a missing browser fails the test.
 */
@RedisTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTests {

	private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");

	private final RedisServer redis;

	private final String prefix = "dashboard-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final Catalogue.Loads loads = new Catalogue.Loads();

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	private CacheInstance a;

	private CacheInstance b;

	private WebDriver browser;

	DashboardBrowserTests(@PrivateRedis RedisServer redis) {
		this.redis = redis;
	}

	@BeforeAll
	void start() throws IOException {
		boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
		if (!installed && "true".equals(System.getenv("CI"))) {
			throw new IllegalStateException(
					"CI must run the dashboard's browser tests: install chromium and chromium-driver (.ci/run does)");
		}
		Assumptions.assumeTrue(installed, "The dashboard's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
				+ " (Debian packages chromium and chromium-driver); skipped");
		this.a = start("a");
		this.b = start("b");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.a.bus().peers().containsKey(this.b.bus().instanceId())
					&& this.b.bus().peers().containsKey(this.a.bus().instanceId()));
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--window-size=1400,1100",
				"--user-data-dir=" + Files.createTempDirectory("dashboard-chromium"));
		LoggingPreferences logging = new LoggingPreferences();
		logging.enable(LogType.BROWSER, Level.ALL);
		options.setCapability("goog:loggingPrefs", logging);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.build();
		this.browser = new ChromeDriver(service, options);
		this.browser.get(dashboardOf(this.a));
	}

	private CacheInstance start(String name) {
		return CacheInstance
			.start(WebApplicationType.SERVLET, this.redis, this.prefix,
					Map.<String, Object>of("catalogueLoads", this.loads), new Class<?>[] { Catalogue.class },
					"server.port=0", "management.endpoints.web.exposure.include=multilevelcache",
					"multilevel-cache.dashboard.enabled=true", "spring.application.name=dashboard-" + name)
			.awaitSubscribed();
	}

	@AfterEach
	void noConsoleErrors() {
		if (this.browser != null) {
			List<LogEntry> errors = this.browser.manage()
				.logs()
				.get(LogType.BROWSER)
				.getAll()
				.stream()
				.filter((entry) -> entry.getLevel().intValue() >= Level.WARNING.intValue())
				.toList();
			assertThat(errors).as("console errors and warnings of the page").isEmpty();
		}
	}

	@AfterAll
	void stop() {
		if (this.browser != null) {
			this.browser.quit();
		}
		for (CacheInstance instance : new CacheInstance[] { this.a, this.b }) {
			if (instance != null) {
				instance.close();
			}
		}
	}

	@Test
	@Order(1)
	void thePageLoadsAndNamesTheInstanceThatAnswered() {
		awaitPolls(1);
		assertThat(this.browser.getTitle()).isEqualTo("multilevel-cache dashboard");
		assertThat(this.browser.findElement(By.id("instance-id")).getText())
			.isEqualTo(this.a.manager().getInstanceId());
		assertThat(this.browser.findElement(By.id("degraded")).isDisplayed()).isFalse();
		assertThat(this.browser.findElement(By.cssSelector("#peers [data-peer]")).getAttribute("data-peer"))
			.as("the other instance is listed as a peer")
			.isEqualTo(this.b.bus().instanceId().toString());
	}

	@Test
	@Order(1)
	void thePageIsOneHtmlFileOfTheEndpoint() throws Exception {
		HttpResponse<String> page = this.http.send(HttpRequest.newBuilder(URI.create(dashboardOf(this.b))).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html;charset=UTF-8");
		assertThat(page.body()).doesNotContain("http://").doesNotContain("https://").doesNotContain("src=");
	}

	@Test
	@Order(2)
	void underTrafficTheHitRateSeriesGrowsAndItsFiguresAreTheEndpoints() throws Exception {
		AtomicBoolean running = new AtomicBoolean(true);
		Catalogue onA = this.a.bean(Catalogue.class);
		Catalogue onB = this.b.bean(Catalogue.class);
		Thread traffic = new Thread(() -> {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			while (running.get()) {
				int key = (int) Math.min(199, Math.abs(random.nextGaussian() * 60));
				Catalogue first = random.nextBoolean() ? onA : onB;
				first.product(key);
				((first == onA) ? onB : onA).product(key);
				if (random.nextInt(50) == 0) {
					first.update(key);
				}
				LockSupport.parkNanos(200_000);
			}
		}, "dashboard-traffic");
		traffic.start();
		try {
			int before = samples();
			await().atMost(Duration.ofSeconds(30)).until(() -> samples() >= before + 10);
			saveScreenshot();
		}
		finally {
			running.set(false);
			traffic.join(10_000);
		}
		assertThat(traffic.isAlive()).as("traffic stopped").isFalse();
		// traffic stopped: once the page polled again, its figures are the endpoint's
		int polls = polls();
		awaitPolls(polls + 2);
		JsonNode products = endpointJson(this.a).get("caches").get("products");
		CacheStatistics statistics = this.a.cache("products").getStatistics();
		assertThat(products.get("counts").get("l1Hits").asLong()).isEqualTo(statistics.l1Hits()).isPositive();
		assertThat(products.get("counts").get("l2Hits").asLong()).isEqualTo(statistics.l2Hits());
		assertThat(field("products", "l1Hits")).isEqualTo(statistics.l1Hits());
		assertThat(field("products", "l2Hits")).isEqualTo(statistics.l2Hits());
		assertThat(field("products", "fills")).as("plain @Cacheable misses stored")
			.isEqualTo(statistics.fills())
			.isPositive();
		assertThat(text("products", "loadP99")).as("p99 of the plain misses' method runs").isNotEqualTo("–");
		assertThat(field("products", "evictions")).isEqualTo(statistics.evictions()).isPositive();
		assertThat(field("", "received")).as("invalidations received from the other instance")
			.isEqualTo(endpointJson(this.a).get("invalidation").get("received").asLong())
			.isPositive();
		assertThat(text("products", "l1HitRate"))
			.isEqualTo(String.format(Locale.ROOT, "%.1f %%", products.get("l1HitRate").asDouble() * 100));
		assertThat(text("products", "l2HitRate"))
			.isEqualTo(String.format(Locale.ROOT, "%.1f %%", products.get("l2HitRate").asDouble() * 100));
	}

	@Test
	@Order(3)
	void clearEmptiesTheOtherInstancesL1() {
		this.b.bean(Catalogue.class).product(1_000);
		// a plain @Cacheable miss fills L1 when Redis has stored the value
		await().atMost(Duration.ofSeconds(5)).until(() -> this.b.inL1("products", 1_000));
		WebElement clear = this.browser
			.findElement(By.cssSelector("section.cache[data-cache='products'] button.clear"));
		clear.click();
		new WebDriverWait(this.browser, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent()).accept();
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.b.inL1("products", 1_000));
		assertThat(this.b.cache("products").getStatistics().l1Size()).isZero();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.browser.findElement(By.id("message")).getText().equals("DELETE /products: 204"));
	}

	@Test
	@Order(4)
	void withRedisStoppedTheDegradedBannerShowsUntilRedisIsBack() {
		WebElement banner = this.browser.findElement(By.id("degraded"));
		assertThat(banner.isDisplayed()).isFalse();
		this.redis.stop();
		try {
			// heartbeat 200 ms: the subscription is known lost within a few heartbeats
			await().atMost(Duration.ofSeconds(15)).until(banner::isDisplayed);
			assertThat(banner.getText()).startsWith("Degraded:");
		}
		finally {
			this.redis.start();
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> !banner.isDisplayed());
		assertThat(this.browser.findElement(By.id("unreachable")).isDisplayed()).as("the endpoint answered throughout")
			.isFalse();
	}

	private void awaitPolls(int atLeast) {
		await().atMost(Duration.ofSeconds(15)).until(() -> polls() >= atLeast);
	}

	private int polls() {
		String polls = this.browser.findElement(By.tagName("body")).getAttribute("data-polls");
		return (polls != null) ? Integer.parseInt(polls) : 0;
	}

	private int samples() {
		List<WebElement> charts = this.browser
			.findElements(By.cssSelector("section.cache[data-cache='products'] canvas"));
		return charts.isEmpty() ? 0 : Integer.parseInt(charts.get(0).getAttribute("data-samples"));
	}

	/** The text of a figure of a cache's card, or of the instance's card for "". */
	private String text(String cache, String field) {
		String card = cache.isEmpty() ? "#instance" : "section.cache[data-cache='" + cache + "']";
		return this.browser.findElement(By.cssSelector(card + " [data-field='" + field + "']")).getText();
	}

	private long field(String cache, String field) {
		return Long.parseLong(text(cache, field).replace(",", ""));
	}

	private JsonNode endpointJson(CacheInstance instance) throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create(baseUrl(instance) + "/actuator/multilevelcache")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private void saveScreenshot() throws IOException {
		Path file = ((ChromeDriver) this.browser).getScreenshotAs(OutputType.FILE).toPath();
		Path target = Paths.get("target", "dashboard", "dashboard.png");
		Files.createDirectories(target.getParent());
		Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
	}

	private static String dashboardOf(CacheInstance instance) {
		return baseUrl(instance) + "/actuator/multilevelcache/dashboard";
	}

	private static String baseUrl(CacheInstance instance) {
		int port = ((WebServerApplicationContext) instance.context()).getWebServer().getPort();
		return "http://localhost:" + port;
	}

	/**
	 * A cached service, registered in each instance; its loads are counted across them.
	 */
	static class Catalogue {

		private final Loads loads;

		Catalogue(Loads loads) {
			this.loads = loads;
		}

		@Cacheable("products")
		public String product(int id) {
			this.loads.count.incrementAndGet();
			return "product " + id;
		}

		@CacheEvict("products")
		public void update(int id) {
		}

		/**
		 * Loader calls of every instance (the "database").
		 */
		static final class Loads {

			final AtomicInteger count = new AtomicInteger();

		}

	}

}
