package io.github.multilevelcache;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.multilevelcache.invalidation.InvalidationPublisher.Message;
import io.lettuce.core.CompareCondition;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * {@link L2Commands} over the native asynchronous API of Boot's
 * {@link LettuceConnectionFactory} (never a client of our own). With the factory's shared
 * native connection (Boot's default) every operation is dispatched on that one connection
 * without blocking, so a write and the invalidation message dispatched right after it are
 * pipelined in order; with a pooled factory each operation borrows a connection and gives
 * it back when it completes. Scripts run with {@code EVALSHA} and fall back to
 * {@code EVAL} when Redis does not know them yet (after a restart or
 * {@code SCRIPT FLUSH}). On a cluster, writes that publish run as one script on the key's
 * node, because a pipelined {@code PUBLISH} may go out through another node.
 */
final class LettuceL2Commands implements L2Commands {

	private static final int CLEAR_BATCH = 500;

	private final LettuceConnectionFactory connectionFactory;

	private final boolean cluster;

	private volatile boolean setNxGet = true;

	private volatile boolean setIfEquals = true;

	private volatile @Nullable RedisClusterAsyncCommands<byte[], byte[]> shared;

	private @Nullable CompletableFuture<RedisClusterAsyncCommands<byte[], byte[]>> acquiring;

	private final Duration connectTimeout;

	/**
	 * Creates the commands.
	 * @param connectionFactory the application's connection factory
	 * @param connectTimeout the {@code l2-timeout}: how long a caller waits for the
	 * shared connection while it is being established, and the bound of each round trip
	 * of {@code clear}
	 */
	LettuceL2Commands(LettuceConnectionFactory connectionFactory, Duration connectTimeout) {
		this.connectionFactory = connectionFactory;
		this.connectTimeout = connectTimeout;
		this.cluster = connectionFactory.isClusterAware();
	}

	@Override
	public CompletableFuture<byte @Nullable []> get(byte[] key) {
		return run((redis) -> redis.get(key));
	}

	@Override
	public CompletableFuture<List<byte @Nullable []>> getAll(List<byte[]> keys) {
		return run((redis) -> redis.mget(keys.toArray(new byte[0][]))
			.thenApply((values) -> values.stream().map((value) -> value.getValueOrElse(null)).toList()));
	}

	@Override
	public CompletableFuture<Long> addTagMember(byte[] setKey, byte[] member, long ttlMillis) {
		return run((redis) -> script(redis, Scripts.ADD_TAG_MEMBER, ScriptOutputType.INTEGER, setKey, member,
				millis(ttlMillis)));
	}

	@Override
	public CompletableFuture<List<byte[]>> takeMembers(byte[] setKey, byte[] evictionSetKey) {
		return run((redis) -> LettuceL2Commands
			.<List<byte[]>>script(redis, Scripts.TAKE_TAG_MEMBERS, ScriptOutputType.MULTI,
					new byte[][] { setKey, evictionSetKey })
			.thenApply(List::copyOf));
	}

	@Override
	public CompletableFuture<Long> removeMembers(byte[] setKey, List<byte[]> members) {
		if (members.isEmpty()) {
			return CompletableFuture.completedFuture(0L);
		}
		return run((redis) -> redis.srem(setKey, members.toArray(new byte[0][])));
	}

	@Override
	public CompletableFuture<Long> increment(byte[] key) {
		return run((redis) -> redis.incr(key));
	}

	/**
	 * One native {@code SET key placeholder NX PX ttl GET} on Redis 7 and later (one
	 * command for Redis to run, where the script costs three); the script on older
	 * servers, which refuse {@code NX} with {@code GET}.
	 */
	@Override
	public CompletableFuture<byte @Nullable []> getOrPlaceholder(byte[] key, byte[] placeholder, long ttlMillis) {
		long ttl = Math.max(1, ttlMillis);
		if (!this.setNxGet) {
			return run((redis) -> script(redis, Scripts.GET_OR_PLACEHOLDER, ScriptOutputType.VALUE, key, placeholder,
					millis(ttl)));
		}
		// Redis before 7.0 refuses NX with GET
		return run((redis) -> orScriptWhenRefused(redis.setGet(key, placeholder, SetArgs.Builder.nx().px(ttl)),
				() -> this.setNxGet = false, () -> script(redis, Scripts.GET_OR_PLACEHOLDER, ScriptOutputType.VALUE,
						key, placeholder, millis(ttl))));
	}

	/**
	 * One native {@code SET key value IFEQ expected GET [PX ttl]} on servers with a
	 * compare-and-set (Redis 8.4 and later, Valkey 8.1 and later): one command for the
	 * server to run, where the script costs three. It replies with what the key held, so
	 * the value was stored exactly when that equals {@code expected}. The script on older
	 * servers, which refuse {@code IFEQ} as a syntax error; the first refusal
	 * ({@code ERR}, never a type or connection error) switches this instance to the
	 * script for good.
	 */
	@Override
	public CompletableFuture<Swap> replaceIfEquals(byte[] key, byte[] expected, byte[] value, long ttlMillis) {
		if (!this.setIfEquals) {
			return run((redis) -> replaceByScript(redis, key, expected, value, ttlMillis));
		}
		SetArgs args = new SetArgs().compareCondition(CompareCondition.valueEq(expected));
		if (ttlMillis > 0) {
			args.px(ttlMillis);
		}
		return run((redis) -> orScriptWhenRefused(
				redis.setGet(key, value, args)
					.thenApply((held) -> (held != null && Arrays.equals(held, expected)) ? Swap.STORED
							: new Swap(false, held)),
				() -> this.setIfEquals = false, () -> replaceByScript(redis, key, expected, value, ttlMillis)));
	}

	/**
	 * A native command, or, when the server refused its arguments (it predates them, and
	 * did nothing), the script that does the same: {@code refused} runs first, so later
	 * calls go to the script directly.
	 */
	private static <T> CompletableFuture<T> orScriptWhenRefused(CompletionStage<T> command, Runnable refused,
			Supplier<CompletableFuture<T>> script) {
		return command.toCompletableFuture().exceptionallyCompose((ex) -> {
			Throwable cause = unwrap(ex);
			if (refusesArguments(cause)) {
				refused.run();
				return script.get();
			}
			return CompletableFuture.failedFuture(cause);
		});
	}

	private static CompletableFuture<Swap> replaceByScript(RedisClusterAsyncCommands<byte[], byte[]> redis, byte[] key,
			byte[] expected, byte[] value, long ttlMillis) {
		return LettuceL2Commands
			.<List<Object>>script(redis, Scripts.REPLACE_IF_EQUALS, ScriptOutputType.MULTI, key, expected, value,
					millis(ttlMillis))
			.thenApply(LettuceL2Commands::swap);
	}

	private static Swap swap(List<Object> reply) {
		if (!reply.isEmpty() && reply.get(0) instanceof Long stored && stored == 1) {
			return Swap.STORED;
		}
		return new Swap(false, (reply.size() > 1 && reply.get(1) instanceof byte[] current) ? current : null);
	}

	@Override
	public CompletableFuture<Boolean> replaceIfPrefix(byte[] key, byte[] prefix, byte[] value, long ttlMillis) {
		return run((redis) -> LettuceL2Commands
			.<Long>script(redis, Scripts.REPLACE_IF_PREFIX, ScriptOutputType.INTEGER, key, prefix, value,
					millis(ttlMillis))
			.thenApply(LettuceL2Commands::positive));
	}

	@Override
	public CompletableFuture<Void> set(byte[] key, byte[] value, long ttlMillis, @Nullable Message message) {
		if (message != null && this.cluster) {
			return run((redis) -> LettuceL2Commands
				.<Long>script(redis, Scripts.SET_AND_PUBLISH, ScriptOutputType.INTEGER, key, value, millis(ttlMillis),
						message.channel(), message.body())
				.thenApply((ignored) -> null));
		}
		return run((redis) -> {
			SetArgs args = (ttlMillis > 0) ? SetArgs.Builder.px(ttlMillis) : new SetArgs();
			CompletableFuture<String> written = redis.set(key, value, args).toCompletableFuture();
			if (message == null) {
				return written.thenApply((ignored) -> null);
			}
			CompletableFuture<Long> published = redis.publish(message.channel(), message.body()).toCompletableFuture();
			return CompletableFuture.allOf(written, published);
		});
	}

	@Override
	public CompletableFuture<Long> delete(byte[] key, @Nullable Message message) {
		if (message != null && this.cluster) {
			return run((redis) -> script(redis, Scripts.DELETE_AND_PUBLISH, ScriptOutputType.INTEGER, key,
					message.channel(), message.body()));
		}
		return run((redis) -> {
			CompletableFuture<Long> deleted = redis.del(key).toCompletableFuture();
			if (message == null) {
				return deleted;
			}
			CompletableFuture<Long> published = redis.publish(message.channel(), message.body()).toCompletableFuture();
			return deleted.thenCombine(published, (count, receivers) -> count);
		});
	}

	@Override
	public CompletableFuture<byte @Nullable []> setIfAbsent(byte[] key, byte[] value, long ttlMillis) {
		return run(
				(redis) -> script(redis, Scripts.SET_IF_ABSENT, ScriptOutputType.VALUE, key, value, millis(ttlMillis)));
	}

	@Override
	public CompletableFuture<Boolean> deleteIfEquals(byte[] key, byte[] expected) {
		return run((redis) -> LettuceL2Commands
			.<Long>script(redis, Scripts.DELETE_IF_EQUALS, ScriptOutputType.INTEGER, key, expected)
			.thenApply(LettuceL2Commands::positive));
	}

	@Override
	public CompletableFuture<Boolean> expireIfEquals(byte[] key, byte[] expected, long ttlMillis) {
		return run((redis) -> LettuceL2Commands
			.<Long>script(redis, Scripts.EXPIRE_IF_EQUALS, ScriptOutputType.INTEGER, key, expected,
					millis(Math.max(1, ttlMillis)))
			.thenApply(LettuceL2Commands::positive));
	}

	@Override
	public CompletableFuture<Boolean> setMarker(byte[] key, byte[] value, long ttlMillis) {
		return run((redis) -> redis.set(key, value, SetArgs.Builder.nx().px(Math.max(1, ttlMillis)))
			.toCompletableFuture()
			.thenApply("OK"::equals));
	}

	@Override
	public CompletableFuture<Long> clear(String pattern, @Nullable Message message) {
		ScanArgs args = ScanArgs.Builder.matches(pattern).limit(CLEAR_BATCH);
		return run((redis) -> {
			CompletableFuture<Long> removed = clearFrom(redis, roundTrip(redis.scan(args)), args, 0);
			if (message == null) {
				return removed;
			}
			return removed.thenCompose((count) -> roundTrip(redis.publish(message.channel(), message.body()))
				.thenApply((receivers) -> count));
		});
	}

	private CompletableFuture<Long> clearFrom(RedisClusterAsyncCommands<byte[], byte[]> redis,
			CompletableFuture<KeyScanCursor<byte[]>> page, ScanArgs args, long removedSoFar) {
		return page.thenCompose((cursor) -> {
			List<byte[]> keys = cursor.getKeys();
			CompletableFuture<Long> unlinked = keys.isEmpty() ? CompletableFuture.completedFuture(0L)
					: roundTrip(redis.unlink(keys.toArray(new byte[0][])));
			return unlinked.thenCompose((count) -> {
				long total = removedSoFar + count;
				if (cursor.isFinished()) {
					return CompletableFuture.completedFuture(total);
				}
				return clearFrom(redis, roundTrip(redis.scan(cursor, args)), args, total);
			});
		});
	}

	/**
	 * One round trip of a multi-command operation ({@code clear}), bounded by the
	 * {@code l2-timeout}: the caller's overall (bulk) limit allows for many pages, but a
	 * stalled Redis ({@code CLIENT PAUSE}, a blocked server) must fail the operation
	 * after one {@code l2-timeout}, not after the bulk limit.
	 */
	private <T> CompletableFuture<T> roundTrip(CompletionStage<T> command) {
		return command.toCompletableFuture().orTimeout(this.connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
	}

	@Override
	public CompletableFuture<Long> publish(Message message) {
		return run((redis) -> redis.publish(message.channel(), message.body()));
	}

	@Override
	public CompletableFuture<Void> warmUp() {
		List<RedisScript<?>> scripts = List.of(Scripts.GET_OR_PLACEHOLDER, Scripts.REPLACE_IF_EQUALS,
				Scripts.REPLACE_IF_PREFIX, Scripts.SET_IF_ABSENT, Scripts.SET_AND_PUBLISH, Scripts.DELETE_AND_PUBLISH,
				Scripts.DELETE_IF_EQUALS, Scripts.EXPIRE_IF_EQUALS, Scripts.ADD_TAG_MEMBER, Scripts.TAKE_TAG_MEMBERS);
		CompletableFuture<?>[] loads = new CompletableFuture<?>[scripts.size() + 1];
		loads[scripts.size()] = probeSetIfEquals();
		for (int i = 0; i < scripts.size(); i++) {
			byte[] script = scripts.get(i).getScriptAsString().getBytes(StandardCharsets.UTF_8);
			try {
				loads[i] = run((redis) -> redis.scriptLoad(script));
			}
			catch (RuntimeException ex) {
				loads[i] = CompletableFuture.failedFuture(ex);
			}
		}
		return CompletableFuture.allOf(loads).handle((ignored, ex) -> null);
	}

	/**
	 * Finds out before the first guarded store whether the server takes {@code IFEQ}, so
	 * that no store pays a refused attempt: {@code SET} with {@code IFEQ} on a key that
	 * does not exist writes nothing where it is known and is a syntax error where it is
	 * not. Any other outcome (an ACL refusal, say) leaves the question to the first
	 * store.
	 */
	private CompletableFuture<?> probeSetIfEquals() {
		byte[] key = "multilevel-cache:ifeq-probe".getBytes(StandardCharsets.UTF_8);
		SetArgs args = new SetArgs().compareCondition(CompareCondition.valueEq(key));
		try {
			return run((redis) -> redis.set(key, key, args)).whenComplete((reply, ex) -> {
				Throwable cause = unwrap(ex);
				if (refusesArguments(cause)) {
					this.setIfEquals = false;
				}
			});
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/** The failure a dependent stage completed with: the cause of its wrapper. */
	private static Throwable unwrap(Throwable ex) {
		return (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
	}

	/** Whether a command failed because the server does not know one of its arguments. */
	private static boolean refusesArguments(@Nullable Throwable cause) {
		return cause instanceof RedisCommandExecutionException && String.valueOf(cause.getMessage()).startsWith("ERR");
	}

	/**
	 * Runs an operation on the shared native connection, or on a borrowed one that is
	 * given back once the operation completed. The shared connection is fetched from the
	 * factory once; until that succeeds (Redis down at start-up) it is fetched off the
	 * caller's thread, so a caller never waits for a connect timeout.
	 */
	private <T> CompletableFuture<T> run(
			Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends CompletionStage<T>> operation) {
		if (!this.connectionFactory.getShareNativeConnection()) {
			return runBorrowed(operation);
		}
		RedisClusterAsyncCommands<byte[], byte[]> redis = this.shared;
		if (redis == null) {
			// wait here rather than chain the operation: operations must be dispatched in
			// the caller's order
			try {
				redis = sharedConnection().get(this.connectTimeout.toNanos(), TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return CompletableFuture.failedFuture(ex);
			}
			catch (ExecutionException | TimeoutException ex) {
				return CompletableFuture.failedFuture((ex.getCause() != null) ? ex.getCause() : ex);
			}
		}
		return watch(redis, operation.apply(redis).toCompletableFuture());
	}

	/**
	 * Forgets the shared connection when an operation failed because the factory closed
	 * it (a context restart or {@code resetConnection()}), so the next operation fetches
	 * the new one.
	 */
	private <T> CompletableFuture<T> watch(RedisClusterAsyncCommands<byte[], byte[]> redis, CompletionStage<T> result) {
		return result.toCompletableFuture().whenComplete((value, ex) -> {
			if (ex != null && this.shared == redis && isClosedConnection(ex)) {
				this.shared = null;
			}
		});
	}

	private static boolean isClosedConnection(Throwable ex) {
		Throwable cause = unwrap(ex);
		return cause instanceof RedisException && "Connection is closed".equals(cause.getMessage());
	}

	private synchronized CompletableFuture<RedisClusterAsyncCommands<byte[], byte[]>> sharedConnection() {
		CompletableFuture<RedisClusterAsyncCommands<byte[], byte[]>> acquiring = this.acquiring;
		if (acquiring == null || acquiring.isCompletedExceptionally()) {
			acquiring = CompletableFuture.supplyAsync(() -> {
				RedisConnection connection = this.connectionFactory.getConnection();
				try {
					RedisClusterAsyncCommands<byte[], byte[]> redis = nativeCommands(connection);
					this.shared = redis;
					return redis;
				}
				finally {
					connection.close();
				}
			}, (task) -> {
				Thread thread = new Thread(task, "multilevel-cache-connect");
				thread.setDaemon(true);
				thread.start();
			});
			this.acquiring = acquiring;
		}
		return acquiring;
	}

	private <T> CompletableFuture<T> runBorrowed(
			Function<RedisClusterAsyncCommands<byte[], byte[]>, ? extends CompletionStage<T>> operation) {
		RedisConnection connection = this.connectionFactory.getConnection();
		CompletableFuture<T> result;
		try {
			result = operation.apply(nativeCommands(connection)).toCompletableFuture();
		}
		catch (RuntimeException ex) {
			connection.close();
			throw ex;
		}
		return result.whenComplete((value, ex) -> connection.close());
	}

	@SuppressWarnings("unchecked")
	private static RedisClusterAsyncCommands<byte[], byte[]> nativeCommands(RedisConnection connection) {
		return ((LettuceConnection) connection).getNativeConnection();
	}

	private static <T> CompletableFuture<T> script(RedisClusterAsyncCommands<byte[], byte[]> redis,
			RedisScript<?> script, ScriptOutputType type, byte[] key, byte[]... args) {
		return script(redis, script, type, new byte[][] { key }, args);
	}

	private static <T> CompletableFuture<T> script(RedisClusterAsyncCommands<byte[], byte[]> redis,
			RedisScript<?> script, ScriptOutputType type, byte[][] keys, byte[]... args) {
		CompletableFuture<T> bySha = redis.<T>evalsha(script.getSha1(), type, keys, args).toCompletableFuture();
		return bySha.exceptionallyCompose((ex) -> {
			Throwable cause = unwrap(ex);
			if (cause instanceof RedisNoScriptException) {
				return redis.<T>eval(script.getScriptAsString().getBytes(StandardCharsets.UTF_8), type, keys, args)
					.toCompletableFuture();
			}
			return CompletableFuture.failedFuture(cause);
		});
	}

	private static byte[] millis(long millis) {
		return Long.toString(Math.max(0, millis)).getBytes(StandardCharsets.US_ASCII);
	}

	private static boolean positive(@Nullable Long value) {
		return value != null && value > 0;
	}

}
