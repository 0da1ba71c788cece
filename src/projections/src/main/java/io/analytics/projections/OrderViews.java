package io.analytics.projections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/** Reads the order read models for the query API, as JSON rows. */
public final class OrderViews {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final OrderReadModels models;

    public OrderViews(DataSource dataSource, OrderReadModels models) {
        this.dataSource = dataSource;
        this.models = models;
    }

    public Optional<ObjectNode> order(String project, String orderId) throws SQLException {
        ArrayNode rows = rows("SELECT " + ORDER_COLUMNS + " FROM " + models.table("order_view")
                + " WHERE project_id = ? AND order_id = ?", project, orderId);
        return rows.isEmpty() ? Optional.empty() : Optional.of((ObjectNode) rows.get(0));
    }

    public ArrayNode ordersOfUser(String project, String userId) throws SQLException {
        return rows("SELECT " + ORDER_COLUMNS + " FROM " + models.table("order_view")
                + " WHERE project_id = ? AND user_id = ? ORDER BY created_at", project, userId);
    }

    /** Per bucket and currency: orders paid, revenue, refunds, average order value and the product with most units sold. */
    public ArrayNode stats(String project, String granularity, long from, long to) throws SQLException {
        ArrayNode rows = rows("SELECT bucket_start, currency, orders, revenue, refunds FROM " + models.table("order_stats")
                + " WHERE project_id = ? AND granularity = ? AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start, currency",
                project, granularity, from, to);
        for (JsonNode row : rows) {
            ObjectNode stats = (ObjectNode) row;
            long orders = stats.get("orders").asLong();
            if (orders > 0) {
                stats.put("average_order_value", stats.get("revenue").decimalValue()
                        .divide(java.math.BigDecimal.valueOf(orders), 4, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros());
            }
            ArrayNode top = rows("SELECT product_id, units FROM " + models.table("product_sales") + " WHERE project_id = ? "
                    + "AND granularity = ? AND bucket_start = ? AND currency = ? ORDER BY units DESC, product_id LIMIT 1",
                    project, granularity, stats.get("bucket_start").asLong(), stats.get("currency").asText());
            stats.set("top_product", top.isEmpty() ? null : top.get(0).get("product_id"));
            stats.put("bucket_start", Instant.ofEpochMilli(stats.get("bucket_start").asLong()).toString());
        }
        return rows;
    }

    public ArrayNode productSales(String project, String granularity, long from, long to) throws SQLException {
        ArrayNode rows = rows("SELECT bucket_start, product_id, currency, units, revenue FROM " + models.table("product_sales")
                + " WHERE project_id = ? AND granularity = ? AND bucket_start >= ? AND bucket_start < ? "
                + "ORDER BY bucket_start, units DESC, product_id", project, granularity, from, to);
        for (JsonNode row : rows) {
            ObjectNode sale = (ObjectNode) row;
            if (granularity.equals("all")) {
                sale.remove("bucket_start");
            } else {
                sale.put("bucket_start", Instant.ofEpochMilli(sale.get("bucket_start").asLong()).toString());
            }
        }
        return rows;
    }

    public ArrayNode inventory(String project) throws SQLException {
        return rows("SELECT product_id, reserved, sold FROM " + models.table("inventory") + " WHERE project_id = ? ORDER BY product_id", project);
    }

    private static final String ORDER_COLUMNS =
            "order_id, user_id, status, currency, total, paid, refunded, items, version, created_at, updated_at";

    private ArrayNode rows(String sql, Object... parameters) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setObject(i + 1, parameters[i]);
            }
            ArrayNode rows = JSON.createArrayNode();
            try (ResultSet result = select.executeQuery()) {
                ResultSetMetaData meta = result.getMetaData();
                while (result.next()) {
                    rows.add(row(result, meta));
                }
            }
            return rows;
        }
    }

    private static ObjectNode row(ResultSet result, ResultSetMetaData meta) throws SQLException {
        ObjectNode row = JSON.createObjectNode();
        for (int c = 1; c <= meta.getColumnCount(); c++) {
            String name = meta.getColumnLabel(c).toLowerCase();
            Object value = result.getObject(c);
            switch (name) {
                case "items" -> row.set(name, parse((String) value));
                case "status" -> row.put(name, ((String) value).toLowerCase());
                case "created_at", "updated_at" -> row.put(name, Instant.ofEpochMilli(((Number) value).longValue()).toString());
                default -> row.set(name, JSON.valueToTree(value));
            }
        }
        return row;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("order_view.items is not JSON", e);
        }
    }
}
