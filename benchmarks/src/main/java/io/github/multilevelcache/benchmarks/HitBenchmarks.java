package io.github.multilevelcache.benchmarks;

import java.util.concurrent.TimeUnit;

import io.github.multilevelcache.benchmarks.BenchmarkApplication.Product;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Scenarios 1 and 2 (JMH): one cache hit through the {@code @Cacheable} proxy of a Spring
 * bean, per manager.
 * <ul>
 * <li>{@code l1Hit}: multilevel-cache from L1, Spring's {@code CaffeineCacheManager}, and
 * the same proxy over {@code NoOpCacheManager} (no cache: the method runs); run with 1
 * and with 4 threads.</li>
 * <li>{@code l1HitSync}: the same hit through {@code @Cacheable(sync = true)}
 * ({@code get(key, loader)}), multilevel-cache and {@code CaffeineCacheManager}.</li>
 * <li>{@code l1HitFresh}: {@code l1HitSync} of multilevel-cache with refresh-ahead (ratio
 * 0.8) and XFetch (β 1) on, so every hit also runs both freshness checks, which only
 * {@code get(key, loader)} hits do (the entries are young: the checks run, the reloads do
 * not).</li>
 * <li>{@code l2Hit}: multilevel-cache with L1 disabled (one Redis {@code GET}) and Spring
 * Data Redis's {@code RedisCacheManager} (one {@code GET}), on the same Redis.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HitBenchmarks {

	@Benchmark
	public Product l1Hit(L1 application, Cursor cursor) {
		return application.state.lookup(cursor.next());
	}

	@Benchmark
	public Product l1HitSync(L1Sync application, Cursor cursor) {
		return application.state.lookupSync(cursor.next());
	}

	@Benchmark
	public Product l1HitFresh(L1Fresh application, Cursor cursor) {
		return application.state.lookupSync(cursor.next());
	}

	@Benchmark
	public Product l2Hit(L2 application, Cursor cursor) {
		return application.state.lookup(cursor.next());
	}

	/**
	 * One application context per trial, started before and closed after it.
	 */
	public abstract static class Application {

		CatalogueState state;

		@Setup(Level.Trial)
		public void start() {
			this.state = open();
		}

		@TearDown(Level.Trial)
		public void stop() {
			this.state.close();
		}

		abstract CatalogueState open();

	}

	/**
	 * The application behind {@code l1Hit}.
	 */
	@State(Scope.Benchmark)
	public static class L1 extends Application {

		@Param({ "MULTILEVEL", "CAFFEINE", "NONE" })
		public String manager = "MULTILEVEL";

		@Override
		CatalogueState open() {
			return new CatalogueState(ManagerKind.valueOf(this.manager), "l1");
		}

	}

	/**
	 * The application behind {@code l1HitSync}.
	 */
	@State(Scope.Benchmark)
	public static class L1Sync extends Application {

		@Param({ "MULTILEVEL", "CAFFEINE" })
		public String manager = "MULTILEVEL";

		@Override
		CatalogueState open() {
			return new CatalogueState(ManagerKind.valueOf(this.manager), "l1sync");
		}

	}

	/**
	 * The application behind {@code l1HitFresh}.
	 */
	@State(Scope.Benchmark)
	public static class L1Fresh extends Application {

		@Param({ "MULTILEVEL" })
		public String manager = "MULTILEVEL";

		@Override
		CatalogueState open() {
			return new CatalogueState(ManagerKind.valueOf(this.manager), "l1fresh",
					"multilevel-cache.defaults.refresh-ahead.ratio=0.8",
					"multilevel-cache.defaults.early-expiration.beta=1.0");
		}

	}

	/**
	 * The application behind {@code l2Hit}.
	 */
	@State(Scope.Benchmark)
	public static class L2 extends Application {

		@Param({ "MULTILEVEL", "REDIS" })
		public String manager = "MULTILEVEL";

		@Override
		CatalogueState open() {
			return new CatalogueState(ManagerKind.valueOf(this.manager), "l2",
					"multilevel-cache.defaults.l1.enabled=false");
		}

	}

	/**
	 * Each benchmark thread walks the working set in turn.
	 */
	@State(Scope.Thread)
	public static class Cursor {

		private int next;

		int next() {
			return this.next++;
		}

	}

}
