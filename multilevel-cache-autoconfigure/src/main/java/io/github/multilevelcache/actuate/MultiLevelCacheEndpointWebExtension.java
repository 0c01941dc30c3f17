package io.github.multilevelcache.actuate;

import io.github.multilevelcache.actuate.MultiLevelCacheEndpoint.CacheDescriptor;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The HTTP side of {@link MultiLevelCacheEndpoint}, as Boot's
 * {@code CachesEndpointWebExtension} is for {@code /actuator/caches}: a cache name that
 * does not exist answers 404 to {@code GET} and {@code DELETE}; a cleared cache answers
 * 204.
 */
@EndpointWebExtension(endpoint = MultiLevelCacheEndpoint.class)
public class MultiLevelCacheEndpointWebExtension {

	private final MultiLevelCacheEndpoint delegate;

	public MultiLevelCacheEndpointWebExtension(MultiLevelCacheEndpoint delegate) {
		this.delegate = delegate;
	}

	@ReadOperation
	public WebEndpointResponse<@Nullable CacheDescriptor> cache(@Selector String cache) {
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

}
