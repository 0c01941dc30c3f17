package io.github.multilevelcache.invalidation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.data.redis.connection.ClusterSlotHashUtil;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.core.types.Expiration;

/**
 * Notices that Redis lost its data (a restart without persistence, {@code FLUSHALL},
 * {@code FLUSHDB}): an epoch marker key holds a random value that only changes when the
 * data is gone. One marker on a standalone or Sentinel-managed Redis; on a cluster one
 * per primary, each under a hash tag that maps to a slot of that primary, so a flush or
 * restart of any node is seen. Runs on the heartbeat thread.
 */
final class EpochWatch {

	private final String epochKey;

	private final Map<String, String> epochs = new ConcurrentHashMap<>();

	private final Map<Integer, String> tags = new ConcurrentHashMap<>();

	EpochWatch(String epochKey) {
		this.epochKey = epochKey;
	}

	/**
	 * Reads (and where missing, sets) every marker.
	 * @return whether a marker changed since the last check
	 */
	boolean changed(RedisConnection connection) {
		boolean changed = false;
		for (byte[] key : keys(connection)) {
			changed |= changed(connection, key);
		}
		return changed;
	}

	private List<byte[]> keys(RedisConnection connection) {
		byte[] standalone = this.epochKey.getBytes(StandardCharsets.UTF_8);
		if (!(connection instanceof RedisClusterConnection cluster)) {
			return List.of(standalone);
		}
		List<byte[]> keys = new ArrayList<>();
		for (RedisClusterNode node : cluster.clusterGetNodes()) {
			RedisClusterNode.SlotRange range = node.getSlotRange();
			if (node.isMaster() && range != null && !range.getSlots().isEmpty()) {
				String tag = this.tags.computeIfAbsent(range.getSlotsArray()[0], (slot) -> tagForSlotOf(range));
				keys.add((this.epochKey + ":{" + tag + "}").getBytes(StandardCharsets.UTF_8));
			}
		}
		return keys.isEmpty() ? List.of(standalone) : keys;
	}

	private static String tagForSlotOf(RedisClusterNode.SlotRange range) {
		for (int i = 0; i < 1_000_000; i++) {
			String tag = Integer.toString(i);
			if (range.contains(ClusterSlotHashUtil.calculateSlot(tag))) {
				return tag;
			}
		}
		throw new IllegalStateException("No hash tag found for slots " + range);
	}

	private boolean changed(RedisConnection connection, byte[] key) {
		byte[] current = connection.stringCommands().get(key);
		if (current == null) {
			byte[] fresh = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
			connection.stringCommands().set(key, fresh, Expiration.persistent(), SetOption.ifAbsent());
			current = connection.stringCommands().get(key);
		}
		if (current == null) {
			return false;
		}
		String value = new String(current, StandardCharsets.UTF_8);
		String known = this.epochs.put(new String(key, StandardCharsets.UTF_8), value);
		return known != null && !known.equals(value);
	}

}
