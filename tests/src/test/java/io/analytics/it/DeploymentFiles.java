package io.analytics.it;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository's deployment files and the node configuration they must agree with. */
final class DeploymentFiles {

    private static final Pattern ENV_OVERRIDE = Pattern.compile("\\$\\{\\?(ANALYTICS_[A-Z0-9_]+)}");

    private DeploymentFiles() {}

    static Path repository() {
        return TestSupport.launcher().getParent();
    }

    static Path applicationConf() {
        return repository().resolve("src/node/src/main/resources/application.conf");
    }

    /** application.conf with its defaults: no environment variable of the test's own is substituted. */
    static Config nodeDefaults() {
        return ConfigFactory.parseFile(applicationConf().toFile()).resolve(ConfigResolveOptions.noSystem());
    }

    /** Every {@code ANALYTICS_*} environment variable application.conf reads. */
    static Set<String> environmentOverrides() {
        try {
            Matcher m = ENV_OVERRIDE.matcher(Files.readString(applicationConf()));
            Set<String> names = new TreeSet<>();
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
