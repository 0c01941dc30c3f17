package io.github.multilevelcache.invalidation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import io.lettuce.core.RedisClient;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.jspecify.annotations.Nullable;

/**
 * Sets up the tracking subscription ({@code CLIENT TRACKING ON BCAST PREFIX ...} on RESP3
 * connections, so that Redis announces every change of a tracked key as an
 * {@code invalidate} push) for a standalone or Sentinel Redis, or for every primary of a
 * Redis Cluster.
 * <p>
 * Standalone: one connection tracks the prefixes and carries the bus channels; its marker
 * key is the marker base itself. Cluster: each primary announces only the keys it holds,
 * so each primary gets a connection of its own with tracking (the node connections of one
 * cluster pub/sub connection), while the bus channels are subscribed once, on that
 * connection's default node ({@code PUBLISH} reaches every node of a cluster, so
 * subscribing on each would deliver every message once per node). Each primary also gets
 * a marker key of its own, the marker base plus a hash tag chosen so that its slot
 * belongs to that primary; the subscription stays current while the cluster has the same
 * primaries and each marker's slot the same owner.
 * <p>
 * On every tracking connection a probe channel is subscribed: Lettuce re-subscribes
 * channels when it re-establishes a connection by itself, but not its tracking, so a
 * second confirmation of the probe means tracking was lost there.
 */
final class TrackingConnections {

	/** How many hash tags are tried to find a marker slot for each primary. */
	private static final int MARKER_SEARCH = 100_000;

	private TrackingConnections() {
	}

	/**
	 * Subscribes with tracking through the factory's native client; blocks until Redis
	 * confirmed (or failed).
	 * @param nativeClient the connection factory's Lettuce client
	 * @param listener what hears the messages and announcements
	 * @param prefixes tracked key prefixes ({@code [""]} for every key)
	 * @param markerBase the marker key (standalone) or the start of the marker keys
	 * (cluster)
	 * @param channels the bus channels, the first being the invalidation channel
	 * @return the subscription
	 * @throws IllegalStateException when the client is neither a standalone nor a cluster
	 * client, or a connection is not RESP3
	 */
	static BusTransport.TrackingSubscription subscribe(Object nativeClient, BusTransport.TrackingListener listener,
			List<String> prefixes, String markerBase, byte[]... channels) {
		if (nativeClient instanceof RedisClient client) {
			return standalone(client, listener, prefixes, markerBase, channels);
		}
		if (nativeClient instanceof RedisClusterClient client) {
			return cluster(client, listener, prefixes, markerBase, channels);
		}
		throw new IllegalStateException("Invalidation by tracking needs Lettuce "
				+ "('multilevel-cache.invalidation.transport=pub-sub' works everywhere)");
	}

	private static BusTransport.TrackingSubscription standalone(RedisClient client,
			BusTransport.TrackingListener listener, List<String> prefixes, String marker, byte[][] channels) {
		StatefulRedisPubSubConnection<byte[], byte[]> connection = client.connectPubSub(ByteArrayCodec.INSTANCE);
		try {
			track(connection, listener, prefixes);
			connection.addListener(relay(listener, channels[0], true));
			connection.sync().subscribe(channels);
			return subscription(connection::close, List.of(marker), () -> true);
		}
		catch (RuntimeException ex) {
			connection.close();
			throw ex;
		}
	}

	private static BusTransport.TrackingSubscription cluster(RedisClusterClient client,
			BusTransport.TrackingListener listener, List<String> prefixes, String markerBase, byte[][] channels) {
		client.refreshPartitions();
		StatefulRedisClusterPubSubConnection<byte[], byte[]> connection = client.connectPubSub(ByteArrayCodec.INSTANCE);
		try {
			Partitions partitions = connection.getPartitions();
			Map<String, String> markers = new LinkedHashMap<>();
			for (RedisClusterNode node : partitions) {
				if (servesSlots(node)) {
					StatefulRedisPubSubConnection<byte[], byte[]> nodeConnection = connection
						.getConnection(node.getNodeId());
					byte[] probe = (new String(channels[0], StandardCharsets.UTF_8) + ":tracking:" + node.getNodeId())
						.getBytes(StandardCharsets.UTF_8);
					track(nodeConnection, listener, prefixes);
					nodeConnection.addListener(relay(listener, probe, false));
					nodeConnection.sync().subscribe(probe);
					String marker = marker(markerBase, node.getNodeId(), partitions);
					if (marker != null) {
						markers.put(marker, node.getNodeId());
					}
				}
			}
			connection.addListener(relay(listener, null, true));
			connection.sync().subscribe(channels);
			String primaries = primaries(partitions);
			return subscription(connection::close, List.copyOf(markers.keySet()), () -> {
				Partitions now = ClusterPartitionParser.parse(connection.sync().clusterNodes());
				return primaries.equals(primaries(now)) && markers.entrySet()
					.stream()
					.allMatch((marker) -> owner(now, marker.getKey()).equals(marker.getValue()));
			});
		}
		catch (RuntimeException ex) {
			connection.close();
			throw ex;
		}
	}

	/**
	 * Requires RESP3, listens for {@code invalidate} pushes and turns tracking on.
	 */
	private static void track(StatefulRedisPubSubConnection<byte[], byte[]> connection,
			BusTransport.TrackingListener listener, List<String> prefixes) {
		if (connection instanceof StatefulRedisConnectionImpl<?, ?> impl
				&& impl.getConnectionState().getNegotiatedProtocolVersion() != ProtocolVersion.RESP3) {
			throw new IllegalStateException("Invalidation by tracking needs RESP3 (Redis 6 or later, and no "
					+ "protocol version forced to RESP2 in the Lettuce client options)");
		}
		connection.addListener((PushListener) (push) -> {
			if ("invalidate".equals(push.getType())) {
				listener.invalidated(keysOf(push.getContent()));
			}
		});
		TrackingArgs tracking = TrackingArgs.Builder.enabled().bcast();
		if (!(prefixes.size() == 1 && prefixes.get(0).isEmpty())) {
			tracking = tracking.prefixes(StandardCharsets.UTF_8, prefixes.toArray(String[]::new));
		}
		connection.sync().clientTracking(tracking);
	}

	/**
	 * Relays a connection's messages and confirmations (when {@code forward}); a second
	 * confirmation of the probe channel means Lettuce re-established the connection
	 * without its tracking, and is reported as such instead.
	 */
	private static RedisPubSubAdapter<byte[], byte[]> relay(BusTransport.TrackingListener listener,
			byte @Nullable [] probe, boolean forward) {
		AtomicInteger confirmations = new AtomicInteger();
		return new RedisPubSubAdapter<>() {

			@Override
			public void message(byte[] channel, byte[] message) {
				if (forward) {
					listener.message(channel, message);
				}
			}

			@Override
			public void subscribed(byte[] channel, long count) {
				if (probe != null && Arrays.equals(channel, probe) && confirmations.incrementAndGet() > 1) {
					listener.trackingLost();
				}
				else if (forward) {
					listener.subscribed(channel);
				}
			}

		};
	}

	/**
	 * The marker base with the first hash tag that puts it in a slot of the primary,
	 * {@code null} when none does (the base carries a hash tag of its own, so every
	 * marker lands in one slot).
	 */
	private static @Nullable String marker(String base, String nodeId, Partitions partitions) {
		for (int i = 0; i < MARKER_SEARCH; i++) {
			String candidate = base + ":{" + i + "}";
			if (owner(partitions, candidate).equals(nodeId)) {
				return candidate;
			}
		}
		return null;
	}

	private static String owner(Partitions partitions, String key) {
		RedisClusterNode owner = partitions.getMasterBySlot(SlotHash.getSlot(key.getBytes(StandardCharsets.UTF_8)));
		return (owner != null) ? Objects.toString(owner.getNodeId(), "") : "";
	}

	/**
	 * Whether the node is a primary that holds slots (a failed primary keeps its flag but
	 * loses its slots to the replica that took over).
	 */
	private static boolean servesSlots(RedisClusterNode node) {
		return node.is(NodeFlag.UPSTREAM) && !node.hasNoSlots();
	}

	private static String primaries(Partitions partitions) {
		List<String> ids = new ArrayList<>();
		for (RedisClusterNode node : partitions) {
			if (servesSlots(node)) {
				ids.add(node.getNodeId());
			}
		}
		ids.sort(null);
		return String.join(",", ids);
	}

	/**
	 * The keys of an {@code invalidate} push, {@code null} for a flush of the database.
	 */
	private static @Nullable List<byte[]> keysOf(List<Object> content) {
		Object keys = (content.size() > 1) ? content.get(1) : null;
		if (!(keys instanceof List<?> list)) {
			return null;
		}
		List<byte[]> result = new ArrayList<>(list.size());
		for (Object key : list) {
			if (key instanceof ByteBuffer buffer) {
				byte[] bytes = new byte[buffer.remaining()];
				buffer.duplicate().get(bytes);
				result.add(bytes);
			}
			else if (key instanceof byte[] bytes) {
				result.add(bytes);
			}
		}
		return result;
	}

	private static BusTransport.TrackingSubscription subscription(Runnable close, List<String> markers,
			BooleanSupplier current) {
		return new BusTransport.TrackingSubscription() {

			@Override
			public void close() {
				close.run();
			}

			@Override
			public List<String> markers() {
				return markers;
			}

			@Override
			public boolean isCurrent() {
				return current.getAsBoolean();
			}

		};
	}

}
