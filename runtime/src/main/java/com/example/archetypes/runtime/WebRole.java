package com.example.archetypes.runtime;

import io.micronaut.context.annotation.Requires;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a bean that exists only in the {@code web} and {@code all} roles. */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Requires(property = "app.role", pattern = "(?i)\\s*(web|all)\\s*", defaultValue = "all")
public @interface WebRole {
}
