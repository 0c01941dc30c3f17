package io.github.multilevelcache;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.github.multilevelcache.test.RedisServer;
import io.github.multilevelcache.test.RedisServers;
import io.github.multilevelcache.test.RedisTest;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.boot.thread.Threading;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter under virtual threads (Java 21 and later; skipped on 17, which the build
 * targets): a stampede of 1,000 virtual-thread callers through {@code @Cacheable}, that
 * stampede recorded with JFR for {@code jdk.VirtualThreadPinned} events, and a context
 * with {@code spring.threads.virtual.enabled=true}. Virtual threads come from
 * {@link VirtualThreads}, which needs no Java 21 API at compile time.
 */
@RedisTest
@EnabledForJreRange(min = JRE.JAVA_21)
class VirtualThreadIntegrationTests {

	private static final int CALLERS = 1_000;

	private static final Duration GATHERING = Duration.ofSeconds(60);

	private static final String PACKAGE = "io.github.multilevelcache.";

	private final RedisServer redis = RedisServers.shared();

	private final String prefix = "vthreads-" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private final List<CacheInstance> instances = new ArrayList<>();

	@AfterEach
	void stop() {
		this.instances.forEach(CacheInstance::close);
	}

	private CacheInstance start(Loads loads, String... properties) {
		CacheInstance instance = CacheInstance.start(this.redis, this.prefix, Map.of("virtualThreadLoads", loads),
				new Class<?>[] { Products.class }, properties);
		this.instances.add(instance);
		return instance;
	}

	/**
	 * Releases {@link #CALLERS} virtual threads together on one cold key through
	 * {@code @Cacheable(sync = true)}; the loader holds until every other caller waits
	 * for it.
	 * @return the values every caller got
	 */
	private static List<Object> stampede(CacheInstance instance, String key) throws Exception {
		ProductService service = instance.bean(ProductService.class);
		CyclicBarrier barrier = new CyclicBarrier(CALLERS);
		AtomicInteger virtual = new AtomicInteger();
		ExecutorService pool = VirtualThreads.newVirtualThreadPerTaskExecutor();
		try {
			List<Future<Object>> futures = new ArrayList<>();
			for (int i = 0; i < CALLERS; i++) {
				futures.add(pool.submit(() -> {
					if (VirtualThreads.isVirtual(Thread.currentThread())) {
						virtual.incrementAndGet();
					}
					service.waiters().register();
					barrier.await(60, TimeUnit.SECONDS);
					return service.find(key);
				}));
			}
			List<Object> values = new ArrayList<>();
			for (Future<Object> future : futures) {
				values.add(future.get(120, TimeUnit.SECONDS));
			}
			assertThat(virtual).as("callers on virtual threads").hasValue(CALLERS);
			return values;
		}
		finally {
			shutDown(pool);
		}
	}

	// ExecutorService is AutoCloseable only from Java 19; this class compiles for 17
	private static void shutDown(ExecutorService pool) throws InterruptedException {
		pool.shutdownNow();
		assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void thousandVirtualThreadCallersOnOneColdKeyRunTheLoaderOnce() throws Exception {
		Loads loads = new Loads(CALLERS);
		CacheInstance instance = start(loads, "multilevel-cache.defaults.stampede.wait-timeout=60s");
		List<Object> values = stampede(instance, "cold");
		assertThat(values).hasSize(CALLERS).containsOnly("product cold");
		assertThat(loads.calls).hasValue(1);
		assertThat(instance.cache("products").getStatistics().loads()).isEqualTo(1);
	}

	@Test
	void noVirtualThreadIsPinnedInTheStarter() throws Exception {
		Loads loads = new Loads(CALLERS);
		CacheInstance instance = start(loads, "multilevel-cache.defaults.stampede.wait-timeout=60s");
		MultiLevelCache cache = instance.cache("products");
		// every operation once before the recording: a virtual thread waiting for another
		// thread's class initialization is pinned on every JDK, once; this test is about
		// pinning that lasts (a lock held across a Redis call)
		ExecutorService warmUp = VirtualThreads.newVirtualThreadPerTaskExecutor();
		try {
			warmUp.submit(() -> exercise(cache, "warm-up")).get(30, TimeUnit.SECONDS);
		}
		finally {
			shutDown(warmUp);
		}
		Path dump = Files.createTempFile("virtual-thread-pinning-", ".jfr");
		List<RecordedEvent> events;
		try (Recording recording = new Recording()) {
			recording.enable("jdk.VirtualThreadPinned").withStackTrace().withThreshold(Duration.ZERO);
			recording.start();
			// the detector's own check: a virtual thread parking in a class initializer
			// is
			// pinned on every JDK (synchronized no longer pins from Java 24 on, JEP 491)
			ExecutorService one = VirtualThreads.newVirtualThreadPerTaskExecutor();
			try {
				one.submit(Pinning::touch).get(30, TimeUnit.SECONDS);
			}
			finally {
				shutDown(one);
			}
			List<Object> values = stampede(instance, "recorded");
			assertThat(values).hasSize(CALLERS).containsOnly("product recorded");
			// hits, writes and evicts from virtual threads too
			ExecutorService pool = VirtualThreads.newVirtualThreadPerTaskExecutor();
			try {
				List<Future<?>> futures = new ArrayList<>();
				for (int i = 0; i < 200; i++) {
					String key = "k" + (i % 20);
					futures.add(pool.submit(() -> exercise(cache, key)));
				}
				for (Future<?> future : futures) {
					future.get(60, TimeUnit.SECONDS);
				}
			}
			finally {
				shutDown(pool);
			}
			recording.stop();
			recording.dump(dump);
			events = RecordingFile.readAllEvents(dump);
		}
		finally {
			Files.deleteIfExists(dump);
		}
		assertThat(events).as("the canary's pinned event (is the detector working?)")
			.anySatisfy((event) -> assertThat(frames(event))
				.anyMatch((frame) -> frame.startsWith(Pinning.class.getName())));
		List<String> ours = new ArrayList<>();
		for (RecordedEvent event : events) {
			List<String> frames = frames(event);
			boolean canaryEvent = frames.stream().anyMatch((frame) -> frame.startsWith(Pinning.class.getName()));
			if (!canaryEvent && frames.stream().anyMatch((frame) -> frame.startsWith(PACKAGE))) {
				ours.add(String.join("\n  ", frames));
			}
		}
		assertThat(ours).as("pinned virtual threads with a frame in " + PACKAGE).isEmpty();
	}

	@Test
	void starterWorksWithSpringVirtualThreadsEnabled() {
		Loads loads = new Loads(1);
		CacheInstance instance = start(loads, "spring.threads.virtual.enabled=true").awaitSubscribed();
		assertThat(Threading.VIRTUAL.isActive(instance.context().getEnvironment())).isTrue();
		ProductService service = instance.bean(ProductService.class);
		MultiLevelCache cache = instance.cache("products");
		long l1Hits = cache.getStatistics().l1Hits();
		assertThat(service.find("warm")).isEqualTo("product warm");
		assertThat(service.find("warm")).isEqualTo("product warm");
		assertThat(loads.calls).hasValue(1);
		assertThat(cache.getStatistics().l1Hits() - l1Hits).isEqualTo(1);
		assertThat(instance.inL1("products", "warm")).isTrue();
	}

	private static Object exercise(MultiLevelCache cache, String key) {
		cache.put(key, "v");
		cache.get(key);
		cache.evict(key);
		return cache.get(key, () -> "loaded");
	}

	private static List<String> frames(RecordedEvent event) {
		List<String> frames = new ArrayList<>();
		if (event.getStackTrace() != null) {
			for (RecordedFrame frame : event.getStackTrace().getFrames()) {
				frames.add(frame.getMethod().getType().getName() + "." + frame.getMethod().getName());
			}
		}
		return frames;
	}

	/**
	 * Parks in its class initializer, which pins a virtual thread on every JDK.
	 */
	static final class Pinning {

		static {
			LockSupport.parkNanos(Duration.ofMillis(30).toNanos());
		}

		private Pinning() {
		}

		static void touch() {
		}

	}

	/**
	 * The loader calls of a test, and the callers its loader waits for.
	 */
	static final class Loads {

		final AtomicInteger calls = new AtomicInteger();

		final LoadWaiters waiters;

		Loads(int callers) {
			this.waiters = new LoadWaiters(callers);
		}

	}

	static class Products {

		@Bean
		ProductService virtualThreadProductService(Loads virtualThreadLoads) {
			return new ProductService(virtualThreadLoads);
		}

	}

	/**
	 * A cached lookup whose loader counts its calls and holds until every other caller of
	 * a stampede waits for it.
	 */
	static class ProductService {

		private final Loads loads;

		ProductService(Loads loads) {
			this.loads = loads;
		}

		LoadWaiters waiters() {
			return this.loads.waiters;
		}

		@Cacheable(cacheNames = "products", sync = true)
		public String find(String key) {
			this.loads.calls.incrementAndGet();
			if (!"warm".equals(key)) {
				awaitTheOthers();
			}
			return "product " + key;
		}

		private void awaitTheOthers() {
			try {
				this.loads.waiters.awaitTheOthers(GATHERING);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

	}

}
