package io.github.multilevelcache.sample;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.github.multilevelcache.write.CacheWriter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The database side of the write-behind {@code views} cache
 * ({@code multilevel-cache.caches.views.writer=viewsWriter}): one batch per flush,
 * logged.
 */
@Component("viewsWriter")
public class ViewsWriter implements CacheWriter<Long, Long> {

	private static final Log logger = LogFactory.getLog(ViewsWriter.class);

	private final JdbcClient jdbc;

	private final AtomicLong batches = new AtomicLong();

	ViewsWriter(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public void write(Long id, Long views) {
		int updated = this.jdbc.sql("UPDATE catalogue_views SET views = :views WHERE product_id = :id")
			.param("views", views)
			.param("id", id)
			.update();
		if (updated == 0) {
			this.jdbc.sql("INSERT INTO catalogue_views (product_id, views) VALUES (:id, :views)")
				.param("id", id)
				.param("views", views)
				.update();
		}
	}

	@Override
	@Transactional
	public void writeAll(Map<Long, Long> entries) {
		entries.forEach(this::write);
		logger.info("Write-behind flushed " + entries.size() + " view count(s) to the database in one batch (batch "
				+ this.batches.incrementAndGet() + ")");
	}

	@Override
	public void delete(Long id) {
		this.jdbc.sql("DELETE FROM catalogue_views WHERE product_id = :id").param("id", id).update();
	}

	/**
	 * The count stored in the database.
	 * @param id the product
	 * @return the stored count, 0 when none
	 */
	public long stored(long id) {
		return this.jdbc.sql("SELECT views FROM catalogue_views WHERE product_id = :id")
			.param("id", id)
			.query(Long.class)
			.optional()
			.orElse(0L);
	}

	/**
	 * Batches written since start-up.
	 * @return the count
	 */
	public long batches() {
		return this.batches.get();
	}

}
