package io.github.multilevelcache.actuate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.github.multilevelcache.actuate.MultiLevelCacheEndpoint.CacheDescriptor;
import io.github.multilevelcache.actuate.MultiLevelCacheEndpoint.TagEvictionDescriptor;
import io.github.multilevelcache.warming.CacheWarming;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.MimeType;

/**
 * The HTTP side of {@link MultiLevelCacheEndpoint}, as Boot's
 * {@code CachesEndpointWebExtension} is for {@code /actuator/caches}: a cache name that
 * does not exist answers 404 to {@code GET} and {@code DELETE}, and so does {@code POST}
 * of a cache without a {@code CacheWarmer}; a cleared cache answers 204.
 * <p>
 * With the dashboard enabled, {@code GET <endpoint>/dashboard} answers the dashboard page
 * (one self-contained HTML file from this jar: no CDN, no build step). Because it is an
 * operation of this endpoint it is exposed, and protected by Spring Security's
 * {@code EndpointRequest} rules, exactly like the endpoint's JSON; the page only reads
 * that JSON and calls the endpoint's own {@code DELETE} and {@code POST} operations. A
 * cache named {@code dashboard} stays listed in the JSON of every cache and can still be
 * cleared, but {@code GET} of that one name answers the page.
 */
@EndpointWebExtension(endpoint = MultiLevelCacheEndpoint.class)
public class MultiLevelCacheEndpointWebExtension {

	static final String DASHBOARD = "dashboard";

	private static final MimeType HTML = new MimeType("text", "html", StandardCharsets.UTF_8);

	private final MultiLevelCacheEndpoint delegate;

	private final boolean dashboardEnabled;

	private volatile @Nullable String dashboardPage;

	/**
	 * Creates the extension without the dashboard page.
	 * @param delegate the endpoint
	 */
	public MultiLevelCacheEndpointWebExtension(MultiLevelCacheEndpoint delegate) {
		this(delegate, false);
	}

	/**
	 * Creates the extension.
	 * @param delegate the endpoint
	 * @param dashboardEnabled whether {@code GET <endpoint>/dashboard} answers the
	 * dashboard page
	 */
	public MultiLevelCacheEndpointWebExtension(MultiLevelCacheEndpoint delegate, boolean dashboardEnabled) {
		this.delegate = delegate;
		this.dashboardEnabled = dashboardEnabled;
	}

	@ReadOperation
	public WebEndpointResponse<?> cache(@Selector String cache) {
		if (this.dashboardEnabled && DASHBOARD.equals(cache)) {
			return new WebEndpointResponse<>(dashboardPage(), WebEndpointResponse.STATUS_OK, HTML);
		}
		CacheDescriptor descriptor = this.delegate.cache(cache);
		return (descriptor != null) ? new WebEndpointResponse<>(descriptor, WebEndpointResponse.STATUS_OK)
				: new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
	}

	@DeleteOperation
	public WebEndpointResponse<Void> clearCache(@Selector String cache) {
		boolean cleared = this.delegate.clearCache(cache);
		return new WebEndpointResponse<>(
				cleared ? WebEndpointResponse.STATUS_NO_CONTENT : WebEndpointResponse.STATUS_NOT_FOUND);
	}

	@DeleteOperation
	public WebEndpointResponse<?> evictTag(@Selector String scope, @Selector String tag) {
		TagEvictionDescriptor result = this.delegate.evictTag(scope, tag);
		return (result != null) ? new WebEndpointResponse<>(result, WebEndpointResponse.STATUS_OK)
				: new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
	}

	@WriteOperation
	public WebEndpointResponse<?> warmCache(@Selector String cache) {
		CacheWarming.Result result = this.delegate.warmCache(cache);
		return (result != null) ? new WebEndpointResponse<>(result, WebEndpointResponse.STATUS_OK)
				: new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
	}

	private String dashboardPage() {
		String page = this.dashboardPage;
		if (page == null) {
			page = readDashboardPage();
			this.dashboardPage = page;
		}
		return page;
	}

	private static String readDashboardPage() {
		try (InputStream in = new ClassPathResource("dashboard.html", MultiLevelCacheEndpointWebExtension.class)
			.getInputStream()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("The dashboard page is missing from the multilevel-cache jar", ex);
		}
	}

}
