package io.analytics.ops;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.joran.util.ConfigurationWatchListUtil;
import java.net.URL;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * How the node's logs look: {@code text} for people, {@code json} (one Logstash-style object per line, MDC
 * fields such as {@code trace_id} included) for log pipelines. The node's logback.xml selects its appender
 * from the context property {@value #PROPERTY}, which defaults to the environment variable of the same name.
 */
public enum LogFormat {
    TEXT,
    JSON;

    /** Context property and environment variable read by the node's logback.xml. */
    public static final String PROPERTY = "ANALYTICS_LOG_FORMAT";

    public static LogFormat parse(String text) {
        for (LogFormat format : values()) {
            if (format.name().equalsIgnoreCase(text.trim())) {
                return format;
            }
        }
        throw new IllegalArgumentException("analytics.ops.log-format must be text or json, got '" + text + "'");
    }

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Switches logging to this format when the configuration (rather than the environment logback already
     * read) asks for another one. Does nothing when the node's logback.xml is not the one in use.
     */
    public void apply() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return;
        }
        String current = context.getProperty(PROPERTY);
        URL config = ConfigurationWatchListUtil.getMainWatchURL(context);
        if (current == null || current.equals(value()) || config == null) {
            return;
        }
        context.reset();
        context.putProperty(PROPERTY, value());
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(config);
        } catch (JoranException e) {
            throw new IllegalStateException("could not switch logging to " + value() + " with " + config, e);
        }
    }
}
