package io.github.multilevelcache.test;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link RedisServer} parameters: {@link RedisServers#shared()} by default, a new private server for
 * parameters annotated with {@link PrivateRedis}. A private server is stopped when the extension context that
 * created it closes (the test method, or the class for {@code @BeforeAll} and constructor injection).
 */
public final class RedisExtension implements ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(RedisExtension.class);

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
			throws ParameterResolutionException {
		return parameterContext.getParameter().getType() == RedisServer.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
			throws ParameterResolutionException {
		if (!parameterContext.isAnnotated(PrivateRedis.class)) {
			return RedisServers.shared();
		}
		RedisServer server = RedisServers.startPrivate();
		extensionContext.getStore(NAMESPACE).put(new Object(), (AutoCloseable) server::close);
		return server;
	}

}
