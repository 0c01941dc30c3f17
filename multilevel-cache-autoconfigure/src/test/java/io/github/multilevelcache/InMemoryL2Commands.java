package io.github.multilevelcache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.github.multilevelcache.invalidation.InvalidationPublisher.Message;
import org.jspecify.annotations.Nullable;

/**
 * {@link L2Commands} in memory, for unit tests: the same semantics as the Lua scripts and
 * commands of {@link LettuceL2Commands} (each operation atomic, keys expiring by the
 * given clock), published messages recorded instead of sent. The contract tests run
 * against both. {@link #fail(boolean)} makes every operation fail, as an unreachable
 * Redis does.
 */
final class InMemoryL2Commands implements L2Commands {

	private final Map<ByteBuffer, Entry> data = new HashMap<>();

	private final Map<ByteBuffer, Set<ByteBuffer>> sets = new HashMap<>();

	private final LongSupplier millis;

	final List<Message> published = new CopyOnWriteArrayList<>();

	private volatile boolean failing;

	InMemoryL2Commands(LongSupplier millis) {
		this.millis = millis;
	}

	void fail(boolean failing) {
		this.failing = failing;
	}

	synchronized byte @Nullable [] raw(String key) {
		Entry entry = live(ByteBuffer.wrap(LoadPath.bytes(key)));
		return (entry != null) ? entry.value : null;
	}

	synchronized void rawSet(String key, byte[] value) {
		this.data.put(ByteBuffer.wrap(LoadPath.bytes(key)), new Entry(value, 0));
	}

	private <T> CompletableFuture<T> run(Supplier<T> operation) {
		if (this.failing) {
			return CompletableFuture.failedFuture(new IllegalStateException("Redis is unreachable"));
		}
		synchronized (this) {
			return CompletableFuture.completedFuture(operation.get());
		}
	}

	private @Nullable Entry live(ByteBuffer key) {
		Entry entry = this.data.get(key);
		if (entry != null && entry.expiresAt > 0 && entry.expiresAt <= this.millis.getAsLong()) {
			this.data.remove(key);
			return null;
		}
		return entry;
	}

	private byte @Nullable [] value(byte[] key) {
		Entry entry = live(ByteBuffer.wrap(key));
		return (entry != null) ? entry.value : null;
	}

	private void store(byte[] key, byte[] value, long ttlMillis) {
		this.data.put(ByteBuffer.wrap(key),
				new Entry(value, (ttlMillis > 0) ? this.millis.getAsLong() + ttlMillis : 0));
	}

	private void publishIfAny(@Nullable Message message) {
		if (message != null) {
			this.published.add(message);
		}
	}

	@Override
	public CompletableFuture<byte @Nullable []> get(byte[] key) {
		return run(() -> value(key));
	}

	@Override
	public CompletableFuture<Long> addTagMember(byte[] setKey, byte[] member, long ttlMillis) {
		// sets do not expire here: only their membership is modelled
		return run(() -> {
			this.sets.computeIfAbsent(ByteBuffer.wrap(setKey.clone()), (key) -> new HashSet<>())
				.add(ByteBuffer.wrap(member.clone()));
			return 1L;
		});
	}

	@Override
	public CompletableFuture<List<byte[]>> takeMembers(byte[] setKey, byte[] evictionSetKey) {
		return run(() -> {
			Set<ByteBuffer> taken = this.sets.remove(ByteBuffer.wrap(setKey));
			Set<ByteBuffer> evicting = this.sets.computeIfAbsent(ByteBuffer.wrap(evictionSetKey.clone()),
					(key) -> new HashSet<>());
			if (taken != null) {
				evicting.addAll(taken);
			}
			return evicting.stream().map((member) -> member.array().clone()).toList();
		});
	}

	@Override
	public CompletableFuture<Long> removeMembers(byte[] setKey, List<byte[]> members) {
		return run(() -> {
			Set<ByteBuffer> set = this.sets.get(ByteBuffer.wrap(setKey));
			long removed = 0;
			if (set != null) {
				for (byte[] member : members) {
					removed += set.remove(ByteBuffer.wrap(member)) ? 1 : 0;
				}
			}
			return removed;
		});
	}

	@Override
	public CompletableFuture<Long> increment(byte[] key) {
		return run(() -> {
			Entry current = live(ByteBuffer.wrap(key));
			long next = ((current != null) ? Long.parseLong(new String(current.value, StandardCharsets.US_ASCII)) : 0)
					+ 1;
			this.data.put(ByteBuffer.wrap(key.clone()),
					new Entry(Long.toString(next).getBytes(StandardCharsets.US_ASCII), 0));
			return next;
		});
	}

	@Override
	public CompletableFuture<List<byte @Nullable []>> getAll(List<byte[]> keys) {
		return run(() -> {
			List<byte @Nullable []> values = new ArrayList<>(keys.size());
			keys.forEach((key) -> values.add(value(key)));
			return values;
		});
	}

	@Override
	public CompletableFuture<byte @Nullable []> getOrPlaceholder(byte[] key, byte[] placeholder, long ttlMillis) {
		return run(() -> {
			byte[] current = value(key);
			if (current != null) {
				return current;
			}
			store(key, placeholder, Math.max(1, ttlMillis));
			return null;
		});
	}

	@Override
	public CompletableFuture<Swap> replaceIfEquals(byte[] key, byte[] expected, byte[] value, long ttlMillis) {
		return run(() -> {
			byte[] current = value(key);
			if (current != null && Arrays.equals(current, expected)) {
				store(key, value, ttlMillis);
				return Swap.STORED;
			}
			return new Swap(false, current);
		});
	}

	@Override
	public CompletableFuture<Boolean> replaceIfPrefix(byte[] key, byte[] prefix, byte[] value, long ttlMillis) {
		return run(() -> {
			byte[] current = value(key);
			if (current == null || current.length < prefix.length
					|| !Arrays.equals(current, 0, prefix.length, prefix, 0, prefix.length)) {
				return false;
			}
			store(key, value, ttlMillis);
			return true;
		});
	}

	@Override
	public CompletableFuture<Void> set(byte[] key, byte[] value, long ttlMillis, @Nullable Message message) {
		return run(() -> {
			store(key, value, ttlMillis);
			publishIfAny(message);
			return null;
		});
	}

	@Override
	public CompletableFuture<Long> delete(byte[] key, @Nullable Message message) {
		return run(() -> {
			boolean present = live(ByteBuffer.wrap(key)) != null;
			this.data.remove(ByteBuffer.wrap(key));
			publishIfAny(message);
			return present ? 1L : 0L;
		});
	}

	@Override
	public CompletableFuture<byte @Nullable []> setIfAbsent(byte[] key, byte[] value, long ttlMillis) {
		return run(() -> {
			byte[] current = value(key);
			if (current != null && !Envelope.isPlaceholder(current)) {
				return current;
			}
			store(key, value, ttlMillis);
			return null;
		});
	}

	@Override
	public CompletableFuture<Boolean> deleteIfEquals(byte[] key, byte[] expected) {
		return run(() -> {
			byte[] current = value(key);
			if (current != null && Arrays.equals(current, expected)) {
				this.data.remove(ByteBuffer.wrap(key));
				return true;
			}
			return false;
		});
	}

	@Override
	public CompletableFuture<Boolean> expireIfEquals(byte[] key, byte[] expected, long ttlMillis) {
		return run(() -> {
			byte[] current = value(key);
			if (current != null && Arrays.equals(current, expected)) {
				store(key, current, Math.max(1, ttlMillis));
				return true;
			}
			return false;
		});
	}

	@Override
	public CompletableFuture<Boolean> setMarker(byte[] key, byte[] value, long ttlMillis) {
		return run(() -> {
			if (value(key) != null) {
				return false;
			}
			store(key, value, Math.max(1, ttlMillis));
			return true;
		});
	}

	@Override
	public CompletableFuture<Long> clear(String pattern, @Nullable Message message) {
		Pattern glob = Pattern.compile(globToRegex(pattern));
		return run(() -> {
			long removed = 0;
			for (Iterator<ByteBuffer> keys = new ArrayList<>(this.data.keySet()).iterator(); keys.hasNext();) {
				ByteBuffer key = keys.next();
				if (live(key) != null
						&& glob.matcher(new String(key.array(), java.nio.charset.StandardCharsets.UTF_8)).matches()) {
					this.data.remove(key);
					removed++;
				}
			}
			publishIfAny(message);
			return removed;
		});
	}

	private static String globToRegex(String glob) {
		StringBuilder regex = new StringBuilder();
		for (int i = 0; i < glob.length(); i++) {
			char c = glob.charAt(i);
			if (c == '\\' && i + 1 < glob.length()) {
				regex.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
			}
			else if (c == '*') {
				regex.append(".*");
			}
			else if (c == '?') {
				regex.append('.');
			}
			else {
				regex.append(Pattern.quote(String.valueOf(c)));
			}
		}
		return regex.toString();
	}

	@Override
	public CompletableFuture<Long> publish(Message message) {
		return run(() -> {
			this.published.add(message);
			return 0L;
		});
	}

	synchronized Map<String, byte[]> snapshot() {
		Map<String, byte[]> copy = new HashMap<>();
		for (ByteBuffer key : new ArrayList<>(this.data.keySet())) {
			Entry entry = live(key);
			if (entry != null) {
				copy.put(new String(key.array(), java.nio.charset.StandardCharsets.UTF_8), entry.value);
			}
		}
		return copy;
	}

	private record Entry(byte[] value, long expiresAt) {
	}

}
