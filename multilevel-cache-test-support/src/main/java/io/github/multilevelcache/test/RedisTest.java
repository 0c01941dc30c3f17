package io.github.multilevelcache.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Registers {@link RedisExtension}: test methods, lifecycle methods and constructors of
 * the annotated class can take a {@link RedisServer} parameter and get the shared server,
 * or, when the parameter is annotated with {@link PrivateRedis}, a server of their own
 * that is stopped when its scope ends.
 * <p>
 * Every test class that talks to a real Redis carries this annotation, whether or not it
 * takes a parameter: it tags the class {@value #TAG}, which the build runs as integration
 * tests (Failsafe, {@code ./mvnw verify}) and leaves out of the unit tests (Surefire,
 * {@code ./mvnw test}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(RedisExtension.class)
@Tag(RedisTest.TAG)
public @interface RedisTest {

	/**
	 * The JUnit tag of tests that need a real Redis.
	 */
	String TAG = "redis";

}
