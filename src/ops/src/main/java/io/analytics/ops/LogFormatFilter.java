package io.analytics.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Lets an appender of the node's logback.xml write only when its format is the one selected by
 * {@link LogFormat#PROPERTY}, so both appenders can stay attached and the choice is made once, at start.
 */
public final class LogFormatFilter extends Filter<ILoggingEvent> {

    private String format;
    private boolean selected;

    public void setFormat(String format) {
        this.format = format;
    }

    @Override
    public void start() {
        selected = LogFormat.parse(format).value().equals(LogFormat.parse(getContext().getProperty(LogFormat.PROPERTY)).value());
        super.start();
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return selected ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
