package io.github.multilevelcache.autoconfigure;

import java.util.List;

import io.github.multilevelcache.autoconfigure.MultiLevelCacheProperties.CacheSpec;
import io.github.multilevelcache.serialization.JacksonCacheValueSerializer;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

/**
 * The {@link RuntimeHints} of the starter for an AOT-processed (and a native)
 * application: what it reads reflectively or as a resource beyond what Spring and Boot
 * already register.
 * <ul>
 * <li>{@code META-INF/spring-configuration-metadata.json}, which
 * {@link UnknownPropertyFailureAnalyzer} reads to suggest a property name;</li>
 * <li>the dashboard page, which the endpoint's web extension reads from the jar;</li>
 * <li>{@link CacheSpec}, which {@link CacheSettingsResolver} binds directly with the
 * {@code Binder} for every configured cache (Boot registers only the
 * {@code @ConfigurationProperties} bean itself);</li>
 * <li>the concrete JDK value types the default {@link JacksonCacheValueSerializer} allows
 * by name: their class is looked up by the name written in each payload
 * ({@code "@class"}) and created through its constructor;</li>
 * <li>the classes whose presence is checked by name (transactions, Netty event loops,
 * Reactor's non-blocking threads).</li>
 * </ul>
 * The records of the actuator endpoint need nothing here: Boot's
 * {@code @ReadOperation}/{@code @WriteOperation} are {@code @Reflective} and register
 * binding hints for an operation's return type ({@code WebEndpointResponse} unwrapped).
 * The Lua scripts are string constants, not resources. Application value types are the
 * application's to register (for example with {@code @RegisterReflectionForBinding}).
 */
class MultiLevelCacheRuntimeHints implements RuntimeHintsRegistrar {

	/**
	 * Classes the starter tests for by name before using them.
	 */
	static final List<String> CLASSES_CHECKED_BY_NAME = List.of("org.springframework.transaction.TransactionManager",
			"org.springframework.transaction.support.TransactionSynchronizationManager",
			"io.netty.util.concurrent.FastThreadLocalThread", "reactor.core.scheduler.Schedulers");

	static final String CONFIGURATION_METADATA = "META-INF/spring-configuration-metadata.json";

	static final String DASHBOARD_PAGE = "io/github/multilevelcache/actuate/dashboard.html";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.resources().registerPattern(CONFIGURATION_METADATA);
		hints.resources().registerPattern(DASHBOARD_PAGE);
		BindableRuntimeHintsRegistrar.forTypes(CacheSpec.class).registerHints(hints, classLoader);
		for (String name : JacksonCacheValueSerializer.JDK_VALUE_TYPES) {
			if (!name.endsWith(".") && !name.endsWith("$")) {
				hints.reflection()
					.registerTypeIfPresent(classLoader, name, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS,
							MemberCategory.INVOKE_PUBLIC_METHODS);
			}
		}
		for (String name : CLASSES_CHECKED_BY_NAME) {
			hints.reflection().registerType(TypeReference.of(name));
		}
	}

}
