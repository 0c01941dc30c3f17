package io.github.multilevelcache;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.github.multilevelcache.invalidation.InvalidationPublisher;
import org.jspecify.annotations.Nullable;

/**
 * Tag membership in Redis, for the whole manager. Each tag is a set
 * {@code <prefix>multilevel-cache:tag:{<tag>}} of {@code <cache>\n<key>} members; one
 * counter {@code <prefix>multilevel-cache:tags:epoch} grows with every tag eviction.
 * <p>
 * The protocol that keeps an entry written concurrently with its tag's eviction from
 * being left behind:
 * <ol>
 * <li>a writer reads the epoch before it computes or writes its value ({@link #epoch()};
 * for a fill, at the miss), writes, adds itself to each of its tags' sets, then reads the
 * epoch again ({@link #register}): a changed epoch means a tag eviction ran while the
 * value was computed or written, and the writer evicts its own key;</li>
 * <li>{@link #evict} increments the epoch, then moves the set's members into the tag's
 * eviction set {@code <prefix>multilevel-cache:tag-evicting:{<tag>}} in one script (a
 * member added after that goes into a new set), evicts every member (deletes in Redis,
 * tells every instance, drops from its own L1) and removes what it evicted from the
 * eviction set.</li>
 * </ol>
 * A member added before the move is evicted: its value was written before the member, so
 * before the delete. A member added after the move stays recorded in the new set, and its
 * writer read the epoch a second time after the increment: if it read it the first time
 * before the increment, it evicts itself. An eviction that fails half way leaves the rest
 * in the eviction set, which the next eviction of the tag takes too. Sets live at least
 * as long as their members' TTL; they are pruned by eviction and by their expiry. A set
 * and its eviction set share one hash slot, so this works on Redis Cluster, members
 * spread over any slots.
 */
final class TagIndex {

	private static final byte[] NO_EVICTION_YET = { '0' };

	private final RedisLevel l2;

	private final byte[] epochKey;

	private final String setPrefix;

	private final String evictionSetPrefix;

	private final KeyEviction eviction;

	TagIndex(String keyPrefix, RedisLevel l2, InvalidationPublisher publisher) {
		this.l2 = l2;
		this.epochKey = (keyPrefix + "multilevel-cache:tags:epoch").getBytes(StandardCharsets.UTF_8);
		this.setPrefix = keyPrefix + "multilevel-cache:tag:";
		this.evictionSetPrefix = keyPrefix + "multilevel-cache:tag-evicting:";
		this.eviction = new KeyEviction(l2, publisher);
	}

	/**
	 * Reads the epoch before a write.
	 * @return the epoch's bytes ({@code 0} before any tag eviction); failed with
	 * {@link L2Failure} when Redis failed
	 */
	CompletableFuture<byte[]> epoch() {
		return this.l2.call((redis) -> redis.get(this.epochKey))
			.thenApply((epoch) -> (epoch != null) ? epoch : NO_EVICTION_YET);
	}

	/**
	 * Adds a written entry to its tags' sets and tells whether it is safe to keep.
	 * @param before the epoch read before the write
	 * @return {@code true} when no tag eviction began since {@code before}; failed with
	 * {@link L2Failure} when Redis failed
	 */
	CompletableFuture<Boolean> register(String cacheName, String canonical, Collection<String> tags, long ttlMillis,
			byte[] before) {
		byte[] member = member(cacheName, canonical);
		List<CompletableFuture<Long>> adds = new ArrayList<>(tags.size());
		for (String tag : tags) {
			adds.add(this.l2.call((redis) -> redis.addTagMember(setKey(tag), member, ttlMillis)));
		}
		return CompletableFuture.allOf(adds.toArray(new CompletableFuture<?>[0]))
			.thenCompose((added) -> epoch())
			.thenApply((after) -> Arrays.equals(before, after));
	}

	/**
	 * Evicts every entry recorded under a tag.
	 * @param caches the manager's caches by name ({@code null} for one that cannot exist
	 * here)
	 * @param recovery whether this runs in the recovery after an outage (its calls reach
	 * Redis while all others are still refused)
	 * @return the number of entries evicted
	 * @throws L2Failure when Redis failed (entries already evicted stay evicted)
	 */
	long evict(String tag, Function<String, @Nullable MultiLevelCache> caches, boolean recovery) {
		byte[] setKey = setKey(tag);
		this.l2.await(bulk(recovery, (redis) -> redis.increment(this.epochKey)));
		byte[] evictionSetKey = evictionSetKey(tag);
		List<byte[]> members = this.l2.await(bulk(recovery, (redis) -> redis.takeMembers(setKey, evictionSetKey)));
		Map<String, List<String>> byCache = new LinkedHashMap<>();
		for (byte[] member : members) {
			String text = new String(member, StandardCharsets.UTF_8);
			int separator = text.indexOf('\n');
			if (separator > 0) {
				byCache.computeIfAbsent(text.substring(0, separator), (name) -> new ArrayList<>())
					.add(text.substring(separator + 1));
			}
		}
		for (Map.Entry<String, List<String>> cache : byCache.entrySet()) {
			MultiLevelCache target = caches.apply(cache.getKey());
			if (target != null) {
				this.eviction.evict(target, cache.getValue(), (call) -> bulk(recovery, call), !recovery);
			}
		}
		if (!members.isEmpty()) {
			this.l2.await(bulk(recovery, (redis) -> redis.removeMembers(evictionSetKey, members)));
		}
		return members.size();
	}

	private <T> CompletableFuture<T> bulk(boolean recovery, Function<L2Commands, CompletableFuture<T>> operation) {
		return recovery ? this.l2.callForRecovery(operation) : this.l2.callBulk(operation);
	}

	private byte[] setKey(String tag) {
		// the braces put the set and its eviction set in one cluster hash slot, whatever
		// the tag
		return (this.setPrefix + "{" + tag + "}").getBytes(StandardCharsets.UTF_8);
	}

	private byte[] evictionSetKey(String tag) {
		return (this.evictionSetPrefix + "{" + tag + "}").getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] member(String cacheName, String canonical) {
		return (cacheName + "\n" + canonical).getBytes(StandardCharsets.UTF_8);
	}

}
