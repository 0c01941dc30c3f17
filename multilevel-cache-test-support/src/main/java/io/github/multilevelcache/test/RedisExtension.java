package io.github.multilevelcache.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves {@link RedisServer} parameters of test methods, lifecycle methods and
 * constructors: {@link RedisServers#shared()} by default, a new {@code redis-server}
 * process for a parameter annotated with {@link PrivateRedis}.
 * <p>
 * A private server is stopped (and its directory deleted) when the scope that asked for
 * it ends: after the test for test methods, {@code @BeforeEach}/{@code @AfterEach}
 * methods and constructors of per-method test instances; after the class for
 * {@code @BeforeAll}/{@code @AfterAll} methods and constructors of per-class test
 * instances. The extension context's store closes them too, should a callback not run.
 */
public final class RedisExtension implements ParameterResolver, AfterEachCallback, AfterAllCallback {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RedisExtension.class);

	@Override
	public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
		// constructor parameters of per-method instances belong to the test, not to the
		// class
		return ExtensionContextScope.TEST_METHOD;
	}

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
		extensionContext.getStore(NAMESPACE)
			.computeIfAbsent(new Key(extensionContext.getUniqueId()), (key) -> new PrivateServers(),
					PrivateServers.class)
			.add(server);
		return server;
	}

	@Override
	public void afterEach(ExtensionContext context) {
		release(context);
	}

	@Override
	public void afterAll(ExtensionContext context) {
		release(context);
	}

	private static void release(ExtensionContext context) {
		PrivateServers servers = context.getStore(NAMESPACE)
			.remove(new Key(context.getUniqueId()), PrivateServers.class);
		if (servers != null) {
			servers.close();
		}
	}

	/**
	 * Store key of one context's private servers; the unique id keeps a method from
	 * seeing its class's entry (stores fall back to their parents on lookup).
	 */
	private record Key(String contextId) {
	}

	/**
	 * The private servers one extension context started; closing stops every one of them,
	 * once.
	 */
	static final class PrivateServers implements AutoCloseable {

		private final List<RedisServer> servers = new CopyOnWriteArrayList<>();

		void add(RedisServer server) {
			this.servers.add(server);
		}

		@Override
		public void close() {
			RuntimeException failure = null;
			for (RedisServer server : this.servers) {
				try {
					server.close();
				}
				catch (RuntimeException ex) {
					if (failure == null) {
						failure = ex;
					}
					else {
						failure.addSuppressed(ex);
					}
				}
				this.servers.remove(server);
			}
			if (failure != null) {
				throw failure;
			}
		}

	}

}
