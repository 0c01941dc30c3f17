package io.github.multilevelcache;

import java.util.List;

import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts of the cache, each touching the single key {@code KEYS[1]} (so each
 * runs on one node of a cluster). TTL arguments are milliseconds, {@code 0} for no
 * expiry. The test for "this value is a lease or a fill guard" is generated from
 * {@link Envelope}'s own constants, so the scripts and the codec cannot drift apart.
 */
final class Scripts {

	private static final String IS_PLACEHOLDER = Envelope.luaIsPlaceholder();

	/**
	 * Returns the value, or, when the key is absent, stores {@code ARGV[1]} (a lease or
	 * fill guard) for {@code ARGV[2]} ms and returns nil: reading a miss and taking the
	 * guard of its fill in one round trip.
	 */
	static final RedisScript<byte[]> GET_OR_PLACEHOLDER = RedisScript.of("""
			local v = redis.call('GET', KEYS[1])
			if v then
			  return v
			end
			redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
			return false
			""", byte[].class);

	/**
	 * Stores {@code ARGV[2]} only if the key holds exactly {@code ARGV[1]} (the guard a
	 * fill or load was given): returns {@code {1}} when stored, {@code {0, current}} or
	 * {@code {0}} otherwise.
	 */
	static final RedisScript<List> REPLACE_IF_EQUALS = RedisScript.of("""
			local v = redis.call('GET', KEYS[1])
			if v == ARGV[1] then
			""" + set(2, 3) + """
			  return {1}
			end
			if v then
			  return {0, v}
			end
			return {0}
			""", List.class);

	/**
	 * Stores {@code ARGV[2]} only if the key's value starts with {@code ARGV[1]} (the
	 * identity of the write a refresh replaces); returns 1 when stored.
	 */
	static final RedisScript<Long> REPLACE_IF_PREFIX = RedisScript.of("""
			local v = redis.call('GET', KEYS[1])
			if not v or string.sub(v, 1, string.len(ARGV[1])) ~= ARGV[1] then
			  return 0
			end
			""" + set(2, 3) + """
			return 1
			""", Long.class);

	/**
	 * Stores {@code ARGV[1]} unless the key holds a value that is not a lease or fill
	 * guard; returns what was there, or nil when stored.
	 */
	static final RedisScript<byte[]> SET_IF_ABSENT = RedisScript.of("""
			local v = redis.call('GET', KEYS[1])
			if v and not (""" + IS_PLACEHOLDER + """
			) then
			  return v
			end
			""" + set(1, 2) + """
			return false
			""", byte[].class);

	/**
	 * Stores {@code ARGV[1]} and publishes {@code ARGV[4]} on {@code ARGV[3]}, in that
	 * order, on the key's node (used on a cluster, where a pipelined PUBLISH could reach
	 * peers from another node before the write).
	 */
	static final RedisScript<Long> SET_AND_PUBLISH = RedisScript.of(set(1, 2) + """
			redis.call('PUBLISH', ARGV[3], ARGV[4])
			return 1
			""", Long.class);

	/**
	 * Deletes the key and publishes {@code ARGV[2]} on {@code ARGV[1]} on the key's node;
	 * returns the number of keys deleted.
	 */
	static final RedisScript<Long> DELETE_AND_PUBLISH = RedisScript.of("""
			local n = redis.call('DEL', KEYS[1])
			redis.call('PUBLISH', ARGV[1], ARGV[2])
			return n
			""", Long.class);

	/**
	 * Deletes the key only if it holds exactly {@code ARGV[1]}; returns 1 when deleted.
	 */
	static final RedisScript<Long> DELETE_IF_EQUALS = RedisScript.of("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then
			  return redis.call('DEL', KEYS[1])
			end
			return 0
			""", Long.class);

	/**
	 * Sets the key's expiry to {@code ARGV[2]} ms only if it holds exactly
	 * {@code ARGV[1]}; returns 1 then.
	 */
	static final RedisScript<Long> EXPIRE_IF_EQUALS = RedisScript.of("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then
			  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
			end
			return 0
			""", Long.class);

	/**
	 * Adds {@code ARGV[1]} to the set {@code KEYS[1]} and makes the set live at least
	 * {@code ARGV[2]} ms (0: without expiry), never shortening it; returns 1.
	 */
	static final RedisScript<Long> ADD_TAG_MEMBER = RedisScript.of("""
			local created = redis.call('EXISTS', KEYS[1]) == 0
			redis.call('SADD', KEYS[1], ARGV[1])
			local ttl = tonumber(ARGV[2])
			if ttl == 0 then
			  redis.call('PERSIST', KEYS[1])
			else
			  local left = redis.call('PTTL', KEYS[1])
			  if created or (left >= 0 and left < ttl) then
			    redis.call('PEXPIRE', KEYS[1], ttl)
			  end
			end
			return 1
			""", Long.class);

	/**
	 * Moves the members of the tag set {@code KEYS[1]} into its eviction set
	 * {@code KEYS[2]} (same hash slot) at once, so that members added later go to a new
	 * tag set; returns every member of the eviction set (those of an eviction that failed
	 * half way included). The eviction set lives as long as the longer-lived of the two.
	 */
	static final RedisScript<List> TAKE_TAG_MEMBERS = RedisScript.of("""
			local ttl = redis.call('PTTL', KEYS[1])
			if ttl ~= -2 then
			  local old = redis.call('PTTL', KEYS[2])
			  redis.call('SUNIONSTORE', KEYS[2], KEYS[2], KEYS[1])
			  redis.call('DEL', KEYS[1])
			  if ttl >= 0 and old ~= -1 then
			    redis.call('PEXPIRE', KEYS[2], math.max(ttl, old))
			  end
			end
			return redis.call('SMEMBERS', KEYS[2])
			""", List.class);

	private Scripts() {
	}

	/**
	 * Lua that stores {@code ARGV[value]} in {@code KEYS[1]} with a PX of
	 * {@code ARGV[ttl]} ms, or without expiry when that is 0.
	 */
	private static String set(int value, int ttl) {
		return "if tonumber(ARGV[" + ttl + "]) > 0 then\n  redis.call('SET', KEYS[1], ARGV[" + value + "], 'PX', ARGV["
				+ ttl + "])\nelse\n  redis.call('SET', KEYS[1], ARGV[" + value + "])\nend\n";
	}

}
