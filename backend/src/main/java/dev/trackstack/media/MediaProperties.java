package dev.trackstack.media;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The limits of media items ({@code trackstack.media.*}), documented in docs/configuration.md and docs/api.md.
 *
 * @param itemsPerCall  items in one logMedia call; more refuse the call
 * @param itemsPerStep  items per (run, name, step)
 * @param maxImageBytes an image's decoded bytes (also each image cell of a table)
 * @param maxImageSide  an image's width and height in pixels
 * @param maxBins       bins of a histogram
 * @param maxColumns    columns of a table
 * @param maxRows       rows of a table
 * @param maxCells      cells of a table (rows × columns)
 * @param maxTextChars  characters of a text item
 * @param maxCaptionChars characters of a caption
 * @param maxOverlaysChars characters of an image's overlays as JSON
 */
@ConfigurationProperties("trackstack.media")
public record MediaProperties(
        @DefaultValue("256") int itemsPerCall,
        @DefaultValue("64") int itemsPerStep,
        @DefaultValue("8MB") DataSize maxImageBytes,
        @DefaultValue("8192") int maxImageSide,
        @DefaultValue("1024") int maxBins,
        @DefaultValue("256") int maxColumns,
        @DefaultValue("10000") int maxRows,
        @DefaultValue("1000000") int maxCells,
        @DefaultValue("1048576") int maxTextChars,
        @DefaultValue("1024") int maxCaptionChars,
        @DefaultValue("65536") int maxOverlaysChars) {
}
