package io.github.multilevelcache.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Asks {@link RedisExtension} for a new, managed {@code redis-server} process instead of
 * the shared server. It is stopped when the test ends, or when the test class ends for
 * {@code @BeforeAll}/{@code @AfterAll} parameters and constructors of per-class test
 * instances.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PrivateRedis {

}
