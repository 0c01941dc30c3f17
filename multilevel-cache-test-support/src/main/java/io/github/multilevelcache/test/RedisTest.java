package io.github.multilevelcache.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Lets test methods, lifecycle methods and constructors take a {@link RedisServer} parameter: the shared
 * server, or a private one when the parameter is annotated with {@link PrivateRedis}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(RedisExtension.class)
public @interface RedisTest {

}
