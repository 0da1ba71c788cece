package io.analytics.hub;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The dashboard: {@code /} is the page, {@code /dashboard/*} its script and style (ours, in this jar),
 * {@code /assets/chart.js} the Chart.js bundle from its WebJar on the classpath.
 */
final class DashboardRoutes extends AllDirectives {

    private static final String CHART_JS_VERSION = webJarVersion("chart.js");

    Route route() {
        return get(() -> concat(
                pathSingleSlash(() -> getFromResource("dashboard/index.html", ContentTypes.TEXT_HTML_UTF8)),
                pathPrefix("dashboard", () -> concat(
                        path("app.js", () -> getFromResource("dashboard/app.js",
                                MediaTypes.APPLICATION_JAVASCRIPT.toContentType(HttpCharsets.UTF_8))),
                        path("style.css", () -> getFromResource("dashboard/style.css",
                                MediaTypes.TEXT_CSS.toContentType(HttpCharsets.UTF_8))))),
                path(segment("assets").slash("chart.js"), () -> getFromResource(
                        "META-INF/resources/webjars/chart.js/" + CHART_JS_VERSION + "/dist/chart.umd.js",
                        MediaTypes.APPLICATION_JAVASCRIPT.toContentType(HttpCharsets.UTF_8)))));
    }

    /** The version of an npm WebJar on the classpath, so that upgrading it is a change of the POM only. */
    private static String webJarVersion(String artifact) {
        String resource = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the " + artifact + " WebJar is not on the classpath (" + resource + ")");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
