package io.github.multilevelcache.autoconfigure;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.github.multilevelcache.CacheTagResolver;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.util.ObjectUtils;

/**
 * The tags of a cache's entries from {@code multilevel-cache.caches.<name>.tags}: SpEL
 * expressions over {@code #key} (the cache key) and {@code #result} (the value, as in
 * Spring's cache annotations). Each yields one tag, several (a collection or array), or
 * none ({@code null}); tags are turned into strings with {@code toString()}. Expressions
 * are parsed when the application starts, so a syntax error fails start-up naming the
 * property.
 */
final class ExpressionCacheTagResolver implements CacheTagResolver {

	private static final SpelExpressionParser PARSER = new SpelExpressionParser();

	private final String cacheName;

	private final List<Expression> expressions;

	private ExpressionCacheTagResolver(String cacheName, List<Expression> expressions) {
		this.cacheName = cacheName;
		this.expressions = expressions;
	}

	/**
	 * Parses a cache's tag expressions.
	 * @param cacheName the cache
	 * @param expressions the expressions, as configured
	 * @return the resolver
	 * @throws InvalidConfigurationPropertyValueException for an expression that does not
	 * parse, naming its property
	 */
	static ExpressionCacheTagResolver parse(String cacheName, List<String> expressions) {
		List<Expression> parsed = new ArrayList<>(expressions.size());
		for (int i = 0; i < expressions.size(); i++) {
			String property = "multilevel-cache.caches." + cacheName + ".tags[" + i + "]";
			String text = expressions.get(i);
			if (text == null || text.isBlank()) {
				throw new InvalidConfigurationPropertyValueException(property, text, "must be a SpEL expression");
			}
			try {
				parsed.add(PARSER.parseExpression(text));
			}
			catch (ParseException ex) {
				throw new InvalidConfigurationPropertyValueException(property, text,
						"is not a valid SpEL expression: " + ex.getMessage());
			}
		}
		return new ExpressionCacheTagResolver(cacheName, List.copyOf(parsed));
	}

	@Override
	public String cacheName() {
		return this.cacheName;
	}

	@Override
	public Collection<String> tags(Object key, @Nullable Object value) {
		StandardEvaluationContext context = new StandardEvaluationContext();
		context.setVariable("key", key);
		context.setVariable("result", value);
		Set<String> tags = new LinkedHashSet<>();
		for (Expression expression : this.expressions) {
			add(expression.getValue(context), tags);
		}
		return tags;
	}

	private static void add(@Nullable Object tag, Set<String> tags) {
		if (tag == null) {
			return;
		}
		if (tag instanceof Iterable<?> several) {
			several.forEach((one) -> add(one, tags));
		}
		else if (tag.getClass().isArray()) {
			for (Object one : ObjectUtils.toObjectArray(tag)) {
				add(one, tags);
			}
		}
		else {
			tags.add(tag.toString());
		}
	}

}
