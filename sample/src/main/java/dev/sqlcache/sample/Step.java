package dev.sqlcache.sample;

import java.math.BigDecimal;

/**
 * One statement of the workload with its bind values, drawn in advance so that the direct and the cached run
 * execute exactly the same sequence. Fields an operation does not use are zero or null.
 *
 * @param operation what to run
 * @param id        the product, customer or order the statement is about
 * @param category  the category searched or ranked
 * @param productId the product of a new order line
 * @param quantity  the quantity of a new order line
 * @param price     the unit price of a new order line
 */
record Step(Operation operation, int id, String category, int productId, int quantity, BigDecimal price) {
}
