package io.github.multilevelcache;

import org.jspecify.annotations.Nullable;

/**
 * The misses of one cache not yet followed by a put, per thread: the hand-written
 * cache-aside pattern ({@code get} → load → {@code put} of the same key on the same
 * thread) and plain {@code @Cacheable} without the {@link FillAwareCacheResolver}. A few
 * per thread (nested cached calls each have theirs); the oldest is dropped when more pile
 * up, and one older than {@code maxAgeNanos} is ignored (its guard has expired), so a
 * miss whose method threw cannot turn a much later {@code put} into a fill.
 */
final class PendingFills implements Fill.Slot {

	private static final int SLOTS = 8;

	private final long maxAgeNanos;

	private final ThreadLocal<@Nullable Fill[]> fills = ThreadLocal.withInitial(() -> new Fill[SLOTS]);

	PendingFills(long maxAgeNanos) {
		this.maxAgeNanos = maxAgeNanos;
	}

	@Override
	public void missed(Fill fill) {
		Fill[] slots = this.fills.get();
		int free = 0;
		long oldest = Long.MAX_VALUE;
		for (int i = 0; i < slots.length; i++) {
			Fill slot = slots[i];
			if (slot == null || slot.canonical().equals(fill.canonical())) {
				free = i;
				break;
			}
			if (slot.missedAtNanos() < oldest) {
				oldest = slot.missedAtNanos();
				free = i;
			}
		}
		slots[free] = fill;
	}

	@Override
	public @Nullable Fill take(String canonical) {
		Fill[] slots = this.fills.get();
		for (int i = 0; i < slots.length; i++) {
			Fill slot = slots[i];
			if (slot != null && slot.canonical().equals(canonical)) {
				slots[i] = null;
				return (System.nanoTime() - slot.missedAtNanos() < this.maxAgeNanos) ? slot : null;
			}
		}
		return null;
	}

}
