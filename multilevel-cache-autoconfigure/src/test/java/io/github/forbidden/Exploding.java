package io.github.forbidden;

/**
 * A type outside every allow-list: loading it records the fact and fails.
 */
public class Exploding {

	public static final String LOADED_PROPERTY = "multilevel-cache.test.exploding-loaded";

	static {
		System.setProperty(LOADED_PROPERTY, "true");
		if (Boolean.parseBoolean("true")) {
			throw new AssertionError("a type outside the allow-list was loaded");
		}
	}

	public int x;

}
