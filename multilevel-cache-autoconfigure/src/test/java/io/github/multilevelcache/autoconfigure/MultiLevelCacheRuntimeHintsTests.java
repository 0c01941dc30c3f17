package io.github.multilevelcache.autoconfigure;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.UUID;

import io.github.multilevelcache.actuate.MultiLevelCacheEndpoint;
import io.github.multilevelcache.actuate.MultiLevelCacheEndpoint.CacheDescriptor;
import io.github.multilevelcache.actuate.MultiLevelCacheEndpoint.CachesDescriptor;
import io.github.multilevelcache.actuate.MultiLevelCacheEndpoint.CountsDescriptor;
import io.github.multilevelcache.actuate.MultiLevelCacheEndpoint.PeerDescriptor;
import io.github.multilevelcache.actuate.MultiLevelCacheEndpoint.SettingsDescriptor;
import io.github.multilevelcache.actuate.MultiLevelCacheEndpointWebExtension;
import io.github.multilevelcache.autoconfigure.MultiLevelCacheProperties.CacheSpec;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.annotation.ReflectiveRuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.core.annotation.AnnotationUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's {@link MultiLevelCacheRuntimeHints}, checked with
 * {@link RuntimeHintsPredicates} as Spring Boot checks its own.
 */
class MultiLevelCacheRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	MultiLevelCacheRuntimeHintsTests() {
		new MultiLevelCacheRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
	}

	@Test
	void theAutoConfigurationImportsTheRegistrar() {
		ImportRuntimeHints imported = AnnotationUtils.findAnnotation(MultiLevelCacheAutoConfiguration.class,
				ImportRuntimeHints.class);
		assertThat(imported).isNotNull();
		assertThat(imported.value()).contains(MultiLevelCacheRuntimeHints.class);
	}

	@Test
	void theDashboardPageIsAResourceThatExists() {
		assertThat(RuntimeHintsPredicates.resource().forResource(MultiLevelCacheRuntimeHints.DASHBOARD_PAGE))
			.accepts(this.hints);
		assertThat(getClass().getClassLoader().getResource(MultiLevelCacheRuntimeHints.DASHBOARD_PAGE)).isNotNull();
	}

	@Test
	void configurationMetadataTheUnknownPropertyAnalyzerReadsIsAResource() {
		assertThat(RuntimeHintsPredicates.resource().forResource(MultiLevelCacheRuntimeHints.CONFIGURATION_METADATA))
			.accepts(this.hints);
	}

	@Test
	void cacheSpecBoundDirectlyPerCacheIsRegisteredForBinding() {
		assertThat(RuntimeHintsPredicates.reflection().onType(CacheSpec.class)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(CacheSpec.class, "setKeyPrefix"))
			.accepts(this.hints);
		// nested groups come with it
		assertThat(RuntimeHintsPredicates.reflection().onType(MultiLevelCacheProperties.L1.class)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(MultiLevelCacheProperties.L2.class, "setTtl"))
			.accepts(this.hints);
	}

	@Test
	void jdkValueTypesTheSerializerResolvesByNameAreRegistered() {
		for (Class<?> type : new Class<?>[] { Long.class, BigDecimal.class, UUID.class, ArrayList.class,
				LinkedHashMap.class }) {
			assertThat(RuntimeHintsPredicates.reflection()
				.onType(type)
				.withMemberCategory(MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS)).as(type.getName()).accepts(this.hints);
		}
		assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of("java.util.Arrays$ArrayList")))
			.accepts(this.hints);
	}

	@Test
	void classesCheckedByNameAreRegistered() {
		for (String name : MultiLevelCacheRuntimeHints.CLASSES_CHECKED_BY_NAME) {
			assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(name))).as(name).accepts(this.hints);
		}
	}

	@Test
	void bootAlreadyRegistersTheEndpointRecordsForBinding() {
		// so the registrar does not: @ReadOperation is
		// @Reflective(OperationReflectiveProcessor)
		RuntimeHints boot = new RuntimeHints();
		new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(boot, MultiLevelCacheEndpoint.class,
				MultiLevelCacheEndpointWebExtension.class);
		for (Class<?> type : new Class<?>[] { CachesDescriptor.class, CacheDescriptor.class, SettingsDescriptor.class,
				CountsDescriptor.class, PeerDescriptor.class }) {
			assertThat(RuntimeHintsPredicates.reflection().onType(type)).as(type.getName()).accepts(boot);
		}
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(CachesDescriptor.class, "instanceId"))
			.accepts(boot);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(CountsDescriptor.class, "l1Hits"))
			.accepts(boot);
		assertThat(RuntimeHintsPredicates.reflection().onType(CachesDescriptor.class)).rejects(this.hints);
	}

}
