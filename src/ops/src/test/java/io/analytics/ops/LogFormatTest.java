package io.analytics.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The configured log format picks the appender, whatever the environment said when logback started. */
class LogFormatTest {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger log = LoggerFactory.getLogger(LogFormatTest.class);

    @AfterEach
    void restore() {
        LogFormat.TEXT.apply();
    }

    @Test
    void switchesBetweenTextAndJsonAppenders() {
        assertThat(context.getProperty(LogFormat.PROPERTY)).isEqualTo("text");
        log.info("as text");
        assertThat(messages("text")).contains("as text");
        assertThat(messages("json")).isEmpty();

        LogFormat.JSON.apply();
        log.info("as json");
        assertThat(context.getProperty(LogFormat.PROPERTY)).isEqualTo("json");
        assertThat(messages("json")).containsExactly("as json");
        assertThat(messages("text")).isEmpty();
    }

    @Test
    void anUnknownFormatIsAClearError() {
        assertThatThrownBy(() -> LogFormat.parse("yaml")).hasMessageContaining("text or json").hasMessageContaining("yaml");
        assertThat(LogFormat.parse(" JSON ")).isEqualTo(LogFormat.JSON);
    }

    private java.util.List<String> messages(String appender) {
        ListAppender<ILoggingEvent> list = (ListAppender<ILoggingEvent>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(appender);
        return list.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
