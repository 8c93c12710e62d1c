"""The media kinds as the client makes them, without a server: the PNG writer (its files decoded by Pillow),
histogram binning (against numpy's), table types, and how log() calls are cut to the server's limits."""
import base64
import io
import math
import random
import unittest

import numpy
import torch
from PIL import Image as PILImage

import trackstack
from support import temporary_directory
from trackstack import run as run_module
from trackstack.media import binned, png_of_array


def decoded(data: bytes) -> PILImage.Image:
    image = PILImage.open(io.BytesIO(data))
    image.load()
    return image


class PngWriterTest(unittest.TestCase):
    def test_uint8_arrays_of_each_shape_decode_to_the_same_pixels(self) -> None:
        generator = numpy.random.default_rng(7)
        for shape, mode in (((5, 7), "L"), ((5, 7, 2), "LA"), ((5, 7, 3), "RGB"), ((5, 7, 4), "RGBA"),
                            ((1, 1, 3), "RGB"), ((300, 200, 3), "RGB")):
            with self.subTest(shape=shape):
                array = generator.integers(0, 256, shape, dtype=numpy.uint8)
                image = decoded(png_of_array(array))
                self.assertEqual((mode, (shape[1], shape[0])), (image.mode, image.size))
                numpy.testing.assert_array_equal(array, numpy.asarray(image))

    def test_floats_are_scaled_from_0_to_1_and_clipped(self) -> None:
        array = numpy.array([[0.0, 0.5, 1.0, 1.5, -0.2]], dtype=numpy.float32)
        pixels = numpy.asarray(decoded(png_of_array(array)))
        self.assertEqual([[0, 128, 255, 255, 0]], pixels.tolist())

    def test_bools_are_black_and_white_and_other_integers_must_be_0_to_255(self) -> None:
        pixels = numpy.asarray(decoded(png_of_array(numpy.array([[True, False]]))))
        self.assertEqual([[255, 0]], pixels.tolist())
        pixels = numpy.asarray(decoded(png_of_array(numpy.array([[3, 255]], dtype=numpy.int64))))
        self.assertEqual([[3, 255]], pixels.tolist())
        with self.assertRaisesRegex(ValueError, "0 to 255"):
            png_of_array(numpy.array([[256]]))

    def test_bad_arrays_are_refused_clearly(self) -> None:
        for array, message in ((numpy.zeros((2, 2, 5)), "H×W×3"), (numpy.zeros((2,)), "H×W"),
                               (numpy.zeros((0, 3)), "0×3"), (numpy.array([[math.nan]]), "NaN"),
                               (numpy.array([["a"]]), "numbers")):
            with self.subTest(array=array), self.assertRaisesRegex(ValueError, message):
                png_of_array(array)


class ImageTest(unittest.TestCase):
    def test_bytes_paths_and_pil_images_are_taken_by_their_format(self) -> None:
        directory = temporary_directory(self)
        photo = PILImage.new("RGB", (4, 3), (10, 200, 30))
        for format, expected in (("PNG", "PNG"), ("JPEG", "JPEG"), ("WEBP", "WEBP")):
            buffer = io.BytesIO()
            photo.save(buffer, format=format)
            path = directory / f"photo.{format.lower()}"
            path.write_bytes(buffer.getvalue())
            for data in (buffer.getvalue(), str(path), path):
                with self.subTest(format=format, data=type(data).__name__):
                    image = trackstack.Image(data)
                    self.assertEqual(expected, image.format)
                    self.assertEqual(buffer.getvalue(), image.data)
        pil_image = trackstack.Image(PILImage.new("CMYK", (2, 2), (0, 255, 0, 0)))  # no CMYK in a PNG: RGB
        self.assertEqual(("PNG", "RGB"), (pil_image.format, decoded(pil_image.data).mode))

    def test_pytorch_tensors_are_taken_channels_first_as_torchvision_makes_them(self) -> None:
        rgb = torch.rand(3, 5, 7, requires_grad=True)  # e.g. a generator's output
        image = decoded(trackstack.Image(rgb).data)
        self.assertEqual(("RGB", (7, 5)), (image.mode, image.size))
        expected = numpy.rint(rgb.detach().numpy().transpose(1, 2, 0) * 255).astype(numpy.uint8)
        numpy.testing.assert_array_equal(expected, numpy.asarray(image))
        grey = decoded(trackstack.Image(torch.zeros(1, 4, 6, dtype=torch.uint8)).data)
        self.assertEqual(("L", (6, 4)), (grey.mode, grey.size))
        plain = decoded(trackstack.Image(torch.ones(4, 6)).data)
        self.assertEqual(("L", (6, 4)), (plain.mode, plain.size))
        with self.assertRaisesRegex(ValueError, "H×W×3"):
            trackstack.Image(torch.zeros(5, 4, 6))

    def test_other_data_is_refused(self) -> None:
        buffer = io.BytesIO()
        PILImage.new("RGB", (2, 2)).save(buffer, format="GIF")
        with self.assertRaisesRegex(ValueError, "not a PNG, JPEG or WebP"):
            trackstack.Image(buffer.getvalue())
        with self.assertRaisesRegex(TypeError, "not list"):
            trackstack.Image([[0, 1]])

    def test_boxes_and_masks_become_the_overlays(self) -> None:
        mask = numpy.array([[0, 1], [2, 1]], dtype=numpy.uint8)
        image = trackstack.Image(numpy.zeros((2, 2, 3), numpy.uint8), caption="a cat",
                                 boxes=[{"x": 0.1, "y": 0, "width": 0.5, "height": 1, "label": "cat", "score": 0.9}],
                                 masks=[{"data": mask, "classes": {1: "cat", 2: "dog"}}])
        item = image.item("samples", 3)
        self.assertEqual({"name", "step", "caption", "image"}, set(item))
        self.assertEqual(("samples", 3, "a cat"), (item["name"], item["step"], item["caption"]))
        overlays = item["image"]["overlays"]
        self.assertEqual([{"x": 0.1, "y": 0.0, "width": 0.5, "height": 1.0, "label": "cat", "score": 0.9}],
                         overlays["boxes"])
        self.assertEqual({"1": "cat", "2": "dog"}, overlays["masks"][0]["classes"])
        numpy.testing.assert_array_equal(mask, numpy.asarray(decoded(base64.b64decode(overlays["masks"][0]["data"]))))
        with self.assertRaisesRegex(ValueError, "lacks height"):
            trackstack.Image(image.data, boxes=[{"x": 0, "y": 0, "width": 1}])


class HistogramTest(unittest.TestCase):
    def test_python_binning_is_numpys(self) -> None:
        generator = random.Random(3)
        samples = [[generator.gauss(0, 1) for _ in range(1000)], [0.1 * step for step in range(101)],
                   [5, 5, 5], [], [1, 2], [-3.5, 1e-9, 2.25, 2.25, 7], [generator.randint(-5, 5) for _ in range(99)]]
        for values in samples:
            for bins in (1, 3, 10, 64):
                with self.subTest(values=values[:4], bins=bins):
                    counts, edges = numpy.histogram(numpy.array(values, dtype=float), bins)
                    self.assertEqual((edges.tolist(), counts.astype(float).tolist()), binned(values, bins))

    def test_arrays_lists_and_tensors_give_the_same_bins(self) -> None:
        values = numpy.random.default_rng(1).normal(size=(20, 50))
        from_array = trackstack.Histogram(values, bins=16)
        from_list = trackstack.Histogram(values.ravel().tolist(), bins=16)
        from_tensor = trackstack.Histogram(torch.tensor(values, requires_grad=True), bins=16)  # e.g. weights
        self.assertEqual((from_array.edges, from_array.counts), (from_list.edges, from_list.counts))
        self.assertEqual((from_array.edges, from_array.counts), (from_tensor.edges, from_tensor.counts))
        self.assertEqual(1000, sum(from_array.counts))
        self.assertEqual(17, len(from_array.edges))

    def test_non_finite_values_make_an_item_that_is_not_logged(self) -> None:
        for values in ([1, math.nan, 2], numpy.array([1, math.inf, -math.inf])):
            histogram = trackstack.Histogram(values)
            self.assertRegex(histogram.error, "[12] of its values are NaN or ±Infinity")

    def test_given_bins_are_sent_as_they_are(self) -> None:
        histogram = trackstack.Histogram(edges=[0, 1, 2], counts=[3, 4])
        self.assertEqual({"histogram": {"edges": [0.0, 1.0, 2.0], "counts": [3.0, 4.0]}, "name": "h", "step": 1},
                         histogram.item("h", 1))
        with self.assertRaisesRegex(ValueError, "either values or both edges and counts"):
            trackstack.Histogram(edges=[0, 1])
        with self.assertRaisesRegex(ValueError, "1 to 1,024 bins"):
            trackstack.Histogram([1, 2], bins=0)


class TableTest(unittest.TestCase):
    def test_column_types_are_inferred_and_cells_encoded(self) -> None:
        image = trackstack.Image(numpy.zeros((2, 2), numpy.uint8))
        table = trackstack.Table(columns=["id", "score", "label", "input", "flag"],
                                 rows=[[1, 0.5, "cat", image, True],
                                       [numpy.int64(2), math.nan, None, None, False],
                                       [3, None, 7, image, None]])
        self.assertEqual([{"name": "id", "type": "NUMBER"}, {"name": "score", "type": "NUMBER"},
                          {"name": "label", "type": "TEXT"}, {"name": "input", "type": "IMAGE"},
                          {"name": "flag", "type": "TEXT"}], table.columns)
        encoded = base64.b64encode(image.data).decode()
        self.assertEqual([[1.0, 0.5, "cat", encoded, "True"], [2.0, "NaN", None, None, "False"],
                          [3.0, None, "7", encoded, None]], table.rows)

    def test_given_types_win_and_are_checked(self) -> None:
        table = trackstack.Table(columns=[("id", "text"), "n"], rows=[[1, 2]])
        self.assertEqual(([{"name": "id", "type": "TEXT"}, {"name": "n", "type": "NUMBER"}], [["1", 2.0]]),
                         (table.columns, table.rows))
        with self.assertRaisesRegex(ValueError, "NUMBER, TEXT or IMAGE"):
            trackstack.Table(columns=[("id", "date")], rows=[])
        with self.assertRaisesRegex(ValueError, "a NUMBER column holds numbers"):
            trackstack.Table(columns=[("id", "NUMBER")], rows=[["x"]])

    def test_rows_that_do_not_match_the_columns_are_refused(self) -> None:
        with self.assertRaisesRegex(ValueError, "row 1 has 1 cells for 2 columns"):
            trackstack.Table(columns=["a", "b"], rows=[[1, 2], [3]])
        with self.assertRaisesRegex(ValueError, "Images and other values"):
            trackstack.Table(columns=["a"], rows=[[trackstack.Image(numpy.zeros((1, 1), numpy.uint8))], ["x"]])

    def test_a_pandas_data_frame(self) -> None:
        try:
            import pandas
        except ImportError:
            self.skipTest("pandas is not installed")
        frame = pandas.DataFrame({"id": [1, 2], "label": ["cat", None], "score": [0.5, math.nan]})
        table = trackstack.Table(data=frame)
        self.assertEqual(["NUMBER", "TEXT", "NUMBER"], [column["type"] for column in table.columns])
        self.assertEqual([[1.0, "cat", 0.5], [2.0, None, "NaN"]], table.rows)


class TextTest(unittest.TestCase):
    def test_formats(self) -> None:
        self.assertEqual({"content": "# Hi", "format": "MARKDOWN"},
                         trackstack.Text("# Hi", format="markdown").item("t", 0)["text"])
        self.assertEqual("PLAIN", trackstack.Text("x").item("t", 0)["text"]["format"])
        with self.assertRaisesRegex(ValueError, "markdown or plain"):
            trackstack.Text("x", format="html")


class MediaCallsTest(unittest.TestCase):
    def test_calls_are_cut_by_items_and_by_bytes(self) -> None:
        queued = [{"media": {"n": index}, "bytes": 1000} for index in range(600)]
        self.assertEqual([256, 256, 88], [len(part) for part in run_module._media_parts(queued)])
        big = run_module.MAX_MEDIA_CALL_BYTES // 3
        queued = [{"media": {"n": index}, "bytes": big} for index in range(7)]
        parts = run_module._media_parts(queued)
        self.assertEqual([3, 3, 1], [len(part) for part in parts])
        self.assertEqual(list(range(7)), [item["n"] for part in parts for item in part])


if __name__ == "__main__":
    unittest.main()
