package io.github.multilevelcache.sample;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.github.multilevelcache.actuate.MultiLevelCacheEndpoint;
import io.github.multilevelcache.autoconfigure.MultiLevelCacheProperties;
import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The catalogue after Spring AOT processing ({@code process-aot}, bound in this module's
 * pom): started in its own JVM with {@code -Dspring.aot.enabled=true} (so from the
 * generated bean definitions, not from configuration classes) on a random port against a
 * Redis of the test fixture. Run by Failsafe in {@code ./mvnw verify}.
 */
class CatalogueAotIT {

	private static final Duration STARTUP = Duration.ofSeconds(90);

	private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

	private final RedisServer redis = RedisServers.shared();

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	private final String prefix = "catalogue-aot-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private Process app;

	private Path log;

	@AfterEach
	void stop() throws InterruptedException {
		if (this.app != null) {
			this.app.destroy();
			if (!this.app.waitFor(20, TimeUnit.SECONDS)) {
				this.app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void aotProcessedCatalogueServesACachedReadFromL1TheSecondTime() throws Exception {
		Path classes = Paths.get(System.getProperty("aot.classes", "target/classes"));
		assertThat(classes
			.resolve("io/github/multilevelcache/sample/CatalogueApplication__ApplicationContextInitializer.class"))
			.as("AOT-generated initializer (process-aot ran)")
			.exists();
		int port = start(classes);
		HttpResponse<String> first = get(port, "/products/7");
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.headers().firstValue(ProductController.SOURCE_HEADER)).hasValue("database");
		assertThat(first.body()).contains("\"name\":\"Product 7\"");
		HttpResponse<String> second = get(port, "/products/7");
		assertThat(second.statusCode()).isEqualTo(200);
		assertThat(second.headers().firstValue(ProductController.SOURCE_HEADER)).hasValue("L1");
		assertThat(second.body()).isEqualTo(first.body());
		JsonNode stats = this.json.readTree(get(port, "/cache/stats").body());
		assertThat(stats.get("loads").asLong()).isEqualTo(1);
		assertThat(stats.get("l1Hits").asLong()).isGreaterThanOrEqualTo(1);
		assertThat(stats.get("l2Errors").asLong()).isZero();
		assertThat(this.redis.command("EXISTS", this.prefix + "products::7")).isEqualTo("1");
		// the endpoint's records serialize in AOT mode too
		HttpResponse<String> endpoint = get(port, "/actuator/multilevelcache/products");
		assertThat(endpoint.statusCode()).isEqualTo(200);
		assertThat(this.json.readTree(endpoint.body()).at("/counts/loads").asLong()).isEqualTo(1);
	}

	@Test
	void aotProcessingRecordedTheStartersHints() throws IOException {
		Path metadata = Paths
			.get(System.getProperty("aot.metadata", "target/spring-aot/main/resources/META-INF/native-image"));
		Set<String> types = new TreeSet<>();
		Set<String> resources = new TreeSet<>();
		try (Stream<Path> files = Files.walk(metadata)) {
			for (Path file : files.filter((path) -> path.toString().endsWith(".json")).toList()) {
				JsonNode hints = this.json.readTree(file.toFile());
				hints.path("reflection").forEach((hint) -> {
					if (hint.path("type").isString()) {
						types.add(hint.path("type").asString());
					}
				});
				hints.path("resources").forEach((hint) -> resources.add(hint.path("glob").asString()));
			}
		}
		// from MultiLevelCacheRuntimeHints, imported by the auto-configuration
		assertThat(resources).contains("META-INF/spring-configuration-metadata.json");
		assertThat(types).contains(MultiLevelCacheProperties.class.getName() + "$CacheSpec", "java.util.UUID",
				"io.netty.util.concurrent.FastThreadLocalThread");
		// from Boot's @Reflective endpoint operations
		assertThat(types).contains(MultiLevelCacheEndpoint.CachesDescriptor.class.getName(),
				MultiLevelCacheEndpoint.CountsDescriptor.class.getName());
	}

	private int start(Path classes) throws IOException, InterruptedException {
		String dependencies = Files
			.readString(Paths.get(System.getProperty("aot.classpath-file", "target/aot-runtime-classpath.txt")))
			.trim();
		String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new ArrayList<>(List.of(java, "-Dspring.aot.enabled=true", "-XX:TieredStopAtLevel=1",
				"-Xshare:auto", "-cp", classes + File.pathSeparator + dependencies,
				CatalogueApplication.class.getName(), "--server.port=0",
				"--spring.data.redis.host=" + this.redis.host(), "--spring.data.redis.port=" + this.redis.port(),
				"--multilevel-cache.key-prefix=" + this.prefix,
				"--multilevel-cache.invalidation.channel=" + this.prefix + "invalidation",
				"--spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
				"--catalogue.database-delay=5ms", "--catalogue.seed-products=50", "--spring.main.banner-mode=off"));
		// beside target/classes, kept for a look after a failure
		this.log = classes.toAbsolutePath().getParent().resolve("catalogue-aot.log");
		this.app = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(this.log.toFile()).start();
		long deadline = System.nanoTime() + STARTUP.toNanos();
		while (System.nanoTime() < deadline) {
			String output = Files.readString(this.log, StandardCharsets.UTF_8);
			Matcher port = PORT.matcher(output);
			if (output.contains("Started CatalogueApplication") && port.find()) {
				int found = Integer.parseInt(port.group(1));
				// ready once the application runners (the catalogue's seeder) have run
				if (get(found, "/actuator/health/readiness").statusCode() == 200) {
					return found;
				}
			}
			if (!this.app.isAlive()) {
				fail("The AOT-processed catalogue exited with " + this.app.exitValue() + ":\n" + output);
			}
			Thread.sleep(100);
		}
		return fail("The AOT-processed catalogue did not start within " + STARTUP + ":\n"
				+ Files.readString(this.log, StandardCharsets.UTF_8));
	}

	private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
