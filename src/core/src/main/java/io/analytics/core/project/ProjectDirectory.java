package io.analytics.core.project;

import java.util.Optional;

/** Which project an API key belongs to. */
@FunctionalInterface
public interface ProjectDirectory {
    Optional<String> projectForApiKey(String apiKey);
}
