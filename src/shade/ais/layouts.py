"""Bit layouts of every AIS message, types 1 to 27, after ITU-R M.1371-5.

One table is the single source of truth: the generated decoders and record classes
(``records``, written by ``codegen``), the general decoder for cut-short messages
(``payload``), the encoder (``encode``) and the field reference in docs/ais-messages.md
are all made from it. Field names follow the pyais library so that its users feel at home.

A layout is a line of fields, each ``name:kind:width``, where kind is one of ``kinds.KINDS``;
``!N`` after the width means the raw value N is "not available" and decodes to None; a
``+`` after the width marks a field that may be shorter than its width (binary data and text
at the end of a message). ``_:N`` is N spare bits. Every layout starts with the common
header ``msg_type:u:6 repeat:u:2 mmsi:u:30``.
"""

from __future__ import annotations

from dataclasses import dataclass

from shade.ais.kinds import KINDS, Kind

# Raw "not available" values (ITU-R M.1371-5, tables 45-50).
_LON, _LAT = 181 * 600000, 91 * 600000
_LON600, _LAT600 = 181 * 600, 91 * 600
_LON60K, _LAT60K = 181 * 60000, 91 * 60000

_POS = f"lon:deg:28!{_LON} lat:deg:27!{_LAT}"
_POS60K = f"lon:deg60k:25!{_LON60K} lat:deg60k:24!{_LAT60K}"
_KINEMATICS = "speed:f10:10!1023 accuracy:b:1 " + _POS + " course:f10:12!3600"
_DIMENSIONS = "to_bow:u:9 to_stern:u:9 to_port:u:6 to_starboard:u:6"
_ADDRESSED = "seqno:u:2 dest_mmsi:u:30 retransmit:b:1 _:1 dac:u:10 fid:u:6"
_BROADCAST = "_:2 dac:u:10 fid:u:6"
_ETA = "month:u:4!0 day:u:5!0 hour:u:5!24 minute:u:6!60"
_BERTH = (
    "linkage:u:10 berth_length:u:9 berth_depth:f10:8 position:u:3 month:u:4 day:u:5 hour:u:5 "
    "minute:u:6 availability:b:1 agent:u:2 fuel:u:2 chandler:u:2 stevedore:u:2 electrical:u:2 "
    "water:u:2 customs:u:2 cartage:u:2 crane:u:2 lift:u:2 medical:u:2 navrepair:u:2 "
    "provisions:u:2 shiprepair:u:2 surveyor:u:2 steam:u:2 tugs:u:2 solidwaste:u:2 "
    "liquidwaste:u:2 hazardouswaste:u:2 ballast:u:2 additional:u:2 regional1:u:2 regional2:u:2 "
    "future1:u:2 future2:u:2 berth_name:t:120 "
    f"berth_lon:deg60k:25!{_LON60K} berth_lat:deg60k:24!{_LAT60K}"
)
_CURRENTS = (
    "cspeed:f10:8 cdir:u:9 cspeed2:f10:8 cdir2:u:9 cdepth2:u:5 cspeed3:f10:8 cdir3:u:9 "
    "cdepth3:u:5 waveheight:f10:8 waveperiod:u:6 wavedir:u:9 swellheight:f10:8 swellperiod:u:6 "
    "swelldir:u:9 seastate:u:4"
)
_AREA_NOTICE = (
    "linkage:u:10 notice:u:7 month:u:4 day:u:5 hour:u:5 minute:u:6 duration:u:18 area_data:d:870+"
)
_EQUIPMENT = " ".join(
    f"{name}_state:u:2"
    for name in (
        "ais ata bnwas ecdisb chart sounder epaid steer gnss gyro lrit magcomp navtex arpa sband "
        "xband hfradio inmarsat mfradio vhfradio grndlog waterlog thd tcs vdr"
    ).split()
)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: Kind
    start: int  # bit offset from the start of the payload
    width: int
    na: int | None  # raw value meaning "not available"
    variable: bool

    @property
    def end(self) -> int:
        return self.start + self.width

    @property
    def spare(self) -> bool:
        return self.kind.name == "_"


@dataclass(frozen=True, slots=True)
class Layout:
    """The fields of one message (or one variant of a message type)."""

    name: str  # the record class
    types: tuple[int, ...]
    doc: str
    fields: tuple[Field, ...]
    # Values computed from the fields: (name, type, Python expression over self).
    derived: tuple[tuple[str, str, str], ...] = ()

    @property
    def bits(self) -> int:
        return self.fields[-1].end

    @property
    def fixed_bits(self) -> int:
        """Bits up to the end of the last field that is always present in full."""
        return max((f.end for f in self.fields if not f.variable), default=0)

    @property
    def values(self) -> tuple[Field, ...]:
        """The fields that carry values (spare bits left out)."""
        return tuple(f for f in self.fields if not f.spare)


def _parse(spec: str) -> tuple[Field, ...]:
    fields: list[Field] = []
    start = 0
    for token in ("msg_type:u:6 repeat:u:2 mmsi:u:30 " + spec).split():
        parts = token.split(":")
        if parts[0] == "_":
            name, kind, rest = f"_{start}", "_", parts[1]
        else:
            name, kind, rest = parts
        variable = rest.endswith("+")
        rest = rest.rstrip("+")
        width_text, _, na_text = rest.partition("!")
        width = int(width_text)
        fields.append(
            Field(name, KINDS[kind], start, width, int(na_text) if na_text else None, variable)
        )
        start += width
    return tuple(fields)


def _layout(
    name: str,
    types: tuple[int, ...],
    doc: str,
    spec: str,
    derived: tuple[tuple[str, str, str], ...] = (),
) -> Layout:
    return Layout(name, types, doc, _parse(spec), derived)


LAYOUTS: tuple[Layout, ...] = (
    _layout(
        "PositionReport",
        (1, 2, 3),
        "Class A position report (scheduled, assigned, or in response to interrogation).",
        "status:u:4 turn:rot:8!-128 "
        + _KINEMATICS
        + " heading:u:9!511 second:u:6!60 maneuver:u:2 _:3 raim:b:1 radio:u:19",
    ),
    _layout(
        "BaseStationReport",
        (4, 11),
        "Base station report (4) and UTC/date response (11).",
        "year:u:14!0 month:u:4!0 day:u:5!0 hour:u:5!24 minute:u:6!60 second:u:6!60 "
        "accuracy:b:1 " + _POS + " epfd:u:4 _:10 raim:b:1 radio:u:19",
    ),
    _layout(
        "StaticVoyageData",
        (5,),
        "Class A static and voyage related data.",
        "ais_version:u:2 imo:u:30 callsign:t:42 shipname:t:120 ship_type:u:8 "
        + _DIMENSIONS
        + " epfd:u:4 "
        + _ETA
        + " draught:f10:8 destination:t:120 dte:b:1 _:1",
    ),
    _layout(
        "BinaryAddressed",
        (6,),
        "Addressed binary message with an application payload not decoded further.",
        _ADDRESSED + " data:d:920+",
    ),
    _layout(
        "PersonsOnBoardBroadcast",
        (6,),
        "Number of persons on board (DAC 1, FID 16), short form without a destination.",
        "_:2 dac:u:10 fid:u:6 persons:u:13 _:3",
    ),
    _layout(
        "PersonsOnBoard",
        (6,),
        "Number of persons on board (DAC 1, FID 16).",
        _ADDRESSED + " persons:u:13 _:35",
    ),
    _layout(
        "ArrivalTime",
        (6,),
        "Clearance time to enter port (DAC 1, FID 18).",
        _ADDRESSED
        + " linkage:u:10 month:u:4 day:u:5 hour:u:5 minute:u:6 port_name:t:120 "
        + "destination:t:30 "
        + _POS60K
        + " _:43",
    ),
    _layout(
        "BerthingDataAddressed",
        (6,),
        "Berthing data (DAC 1, FID 20).",
        _ADDRESSED + " " + _BERTH,
    ),
    _layout(
        "AreaNoticeAddressed",
        (6,),
        "Area notice, addressed (DAC 1, FID 23); sub-areas left as binary data.",
        _ADDRESSED + " " + _AREA_NOTICE,
    ),
    _layout(
        "DangerousCargo",
        (6,),
        "Dangerous cargo indication (DAC 1, FID 25); cargo entries left as binary data.",
        _ADDRESSED + " unit:u:2 amount:u:10 cargo_data:d:476+",
    ),
    _layout(
        "BinaryAcknowledge",
        (7, 13),
        "Binary acknowledge (7) and safety related acknowledge (13), one to four addressees.",
        "_:2 mmsi1:u:30 mmsiseq1:u:2 mmsi2:u:30 mmsiseq2:u:2 mmsi3:u:30 mmsiseq3:u:2 "
        "mmsi4:u:30 mmsiseq4:u:2",
    ),
    _layout(
        "BinaryBroadcast",
        (8,),
        "Broadcast binary message with an application payload not decoded further.",
        _BROADCAST + " data:d:952+",
    ),
    _layout(
        "TextDescription",
        (8,),
        "Text using 6-bit ASCII (DAC 1, FID 0).",
        _BROADCAST + " ack_required:b:1 text_sequence:u:11 text:t:906+",
    ),
    _layout(
        "MeteoHydro",
        (8,),
        "Meteorological and hydrological data, IMO 236 form (DAC 1, FID 11).",
        _BROADCAST + f" lat:deg60k:24!{_LAT60K} lon:deg60k:25!{_LON60K} "
        "day:u:5 hour:u:5 minute:u:6 wspeed:u:7 wgust:u:7 wdir:u:9 wgustdir:u:9 "
        "airtemp:air60:11 humidity:u:7 dewpoint:dew20:10 pressure:p800:9 pressuretend:u:2 "
        "visibility:f10:8 waterlevel:wl10:9 leveltrend:u:2 "
        + _CURRENTS
        + " watertemp:wl10:10 preciptype:u:3 salinity:f10:9 ice:u:2",
    ),
    _layout(
        "VTSTargets",
        (8,),
        "VTS-generated targets (DAC 1, FID 16); targets left as binary data.",
        _BROADCAST + " target_data:d:840+",
    ),
    _layout(
        "SyntheticTargets",
        (8,),
        "Synthetic targets (DAC 1, FID 17); targets left as binary data.",
        _BROADCAST + " target_data:d:480+",
    ),
    _layout(
        "MarineTrafficSignal",
        (8,),
        "Marine traffic signal (DAC 1, FID 19).",
        _BROADCAST + " linkage:u:10 station:t:120 " + _POS60K + " status:u:2 signal:u:5 "
        "hour:u:5 minute:u:6 nextsignal:u:5 _:102",
    ),
    _layout(
        "BerthingDataBroadcast",
        (8,),
        "Berthing data (DAC 1, FID 20).",
        _BROADCAST + " " + _BERTH,
    ),
    _layout(
        "WeatherObservation",
        (8,),
        "Weather observation report from ship, non-WMO variant (DAC 1, FID 21).",
        _BROADCAST + " wmo:b:1 location:t:120 " + _POS60K + " day:u:5 hour:u:5 minute:u:6 "
        "weather:u:4 vislimit:b:1 visibility:f10:7 humidity:u:7 wspeed:u:7 wdir:u:9 "
        "pressure:p799:9 pressuretend:u:4 airtemp:F10:11 watertemp:F10:10 waveperiod:u:6 "
        "waveheight:f10:8 wavedir:u:9 swellheight:f10:8 swelldir:u:9 swellperiod:u:6 _:3",
    ),
    _layout(
        "AreaNoticeBroadcast",
        (8,),
        "Area notice, broadcast (DAC 1, FID 22); sub-areas left as binary data.",
        _BROADCAST + " " + _AREA_NOTICE,
    ),
    _layout(
        "ExtendedShipStatic",
        (8,),
        "Extended ship static and voyage related data (DAC 1, FID 24).",
        _BROADCAST + " linkage:u:10 airdraught:f100:13 lastport:t:30 nextport:t:30 "
        "secondport:t:30 " + _EQUIPMENT + " _:2 iceclass:u:4 horsepower:u:18 vhfchan:u:12 "
        "lshiptype:t:42 tonnage:u:18 lading:u:2 heavyoil:u:2 lightoil:u:2 dieseloil:u:2 "
        "totaloil:u:14 persons:u:13 _:10",
    ),
    _layout(
        "EnvironmentalReports",
        (8,),
        "Environmental (DAC 1, FID 26); sensor reports left as binary data.",
        _BROADCAST + " reports_data:d:560+",
    ),
    _layout(
        "RouteInformation",
        (8,),
        "Route information, broadcast (DAC 1, FID 27); waypoints left as binary data.",
        _BROADCAST + " linkage:u:10 sender:u:3 rtype:u:5 month:u:4 day:u:5 hour:u:5 minute:u:6 "
        "duration:u:18 waycount:u:5 waypoints_data:d:880+",
    ),
    _layout(
        "TextDescriptionLinked",
        (8,),
        "Text description (DAC 1, FID 29).",
        _BROADCAST + " linkage:u:10 description:t:966+",
    ),
    _layout(
        "MeteoHydroV2",
        (8,),
        "Meteorological and hydrological data, IMO 289 form (DAC 1, FID 31).",
        _BROADCAST + " " + _POS60K + " accuracy:b:1 day:u:5 hour:u:5 minute:u:6 "
        "wspeed:u:7 wgust:u:7 wdir:u:9 wgustdir:u:9 airtemp:F10:11 humidity:u:7 "
        "dewpoint:F10:10 pressure:p799:9 pressuretend:u:2 visgreater:b:1 visibility:f10:7 "
        "waterlevel:wl31:12 leveltrend:u:2 "
        + _CURRENTS
        + " watertemp:F10:10 preciptype:u:3 salinity:f10:9 ice:u:2",
    ),
    _layout(
        "InlandStaticVoyage",
        (8,),
        "Inland ship static and voyage related data (DAC 200, FID 10).",
        _BROADCAST + " vin:t:48 length:f10:13 beam:f10:10 shiptype:u:14 hazard:u:3 "
        "draught:f100:11 loaded:u:2 speed_q:b:1 course_q:b:1 heading_q:b:1 _:8",
    ),
    _layout(
        "InlandEMMA",
        (8,),
        "Inland EMMA warning (DAC 200, FID 23).",
        _BROADCAST + " start_year:u:8 start_month:u:4 start_day:u:5 end_year:u:8 end_month:u:4 "
        "end_day:u:5 start_hour:u:5 start_minute:u:6 end_hour:u:5 end_minute:u:6 "
        f"start_lon:deg:28!{_LON} start_lat:deg:27!{_LAT} "
        f"end_lon:deg:28!{_LON} end_lat:deg:27!{_LAT} "
        "type:u:4 min:i:9 max:i:9 intensity:u:2 wind:u:4 _:6",
    ),
    _layout(
        "InlandWaterLevel",
        (8,),
        "Inland water levels (DAC 200, FID 24).",
        _BROADCAST + " country:t:12 gauge_id_1:u:11 water_level_1:i:14 gauge_id_2:u:11 "
        "water_level_2:i:14 gauge_id_3:u:11 water_level_3:i:14 gauge_id_4:u:11 "
        "water_level_4:i:14",
    ),
    _layout(
        "InlandSignalStation",
        (8,),
        "Inland signal station (DAC 200, FID 40).",
        _BROADCAST + " " + _POS + " form:u:4 facing:u:9 direction:u:3 status_raw:u:30 _:11",
    ),
    _layout(
        "USEnvironmental",
        (8,),
        "US environmental message (DAC 367, FID 33); reports left as binary data.",
        _BROADCAST + " reports_data:d:896+",
    ),
    _layout(
        "SARAircraftReport",
        (9,),
        "Standard SAR aircraft position report; speed in knots (not tenths).",
        "alt:u:12!4095 speed:f:10!1023 accuracy:b:1 " + _POS + " course:f10:12!3600 "
        "second:u:6!60 reserved_1:u:8 dte:b:1 _:3 assigned:b:1 raim:b:1 radio:u:20",
    ),
    _layout(
        "UTCDateInquiry",
        (10,),
        "UTC and date inquiry.",
        "_:2 dest_mmsi:u:30 _:2",
    ),
    _layout(
        "AddressedSafetyMessage",
        (12,),
        "Addressed safety related message.",
        "seqno:u:2 dest_mmsi:u:30 retransmit:b:1 _:1 text:t:936+",
    ),
    _layout(
        "SafetyBroadcast",
        (14,),
        "Safety related broadcast message.",
        "_:2 text:t:968+",
    ),
    _layout(
        "Interrogation",
        (15,),
        "Interrogation of one or two stations for up to three messages.",
        "_:2 mmsi1:u:30 type1_1:u:6 offset1_1:u:12 _:2 type1_2:u:6 offset1_2:u:12 _:2 "
        "mmsi2:u:30 type2_1:u:6 offset2_1:u:12 _:2",
    ),
    _layout(
        "AssignmentCommandA",
        (16,),
        "Assigned mode command for one station (96 bits).",
        "_:2 mmsi1:u:30 offset1:u:12 increment1:u:10 _:4",
    ),
    _layout(
        "AssignmentCommandAB",
        (16,),
        "Assigned mode command for two stations (144 bits).",
        "_:2 mmsi1:u:30 offset1:u:12 increment1:u:10 mmsi2:u:30 offset2:u:12 increment2:u:10",
    ),
    _layout(
        "DGNSSBroadcast",
        (17,),
        "DGNSS broadcast binary message; the station's lon and lat in minutes.",
        "_:2 lon:F10:18 lat:F10:17 _:5 data:d:736+",
    ),
    _layout(
        "ClassBPositionReport",
        (18,),
        "Standard class B equipment position report.",
        "reserved_1:u:8 " + _KINEMATICS + " heading:u:9!511 second:u:6!60 reserved_2:u:2 "
        "cs:b:1 display:b:1 dsc:b:1 band:b:1 msg22:b:1 assigned:b:1 raim:b:1 radio:u:20",
    ),
    _layout(
        "ClassBExtendedReport",
        (19,),
        "Extended class B equipment position report.",
        "reserved_1:u:8 " + _KINEMATICS + " heading:u:9!511 second:u:6!60 reserved_2:u:4 "
        "shipname:t:120 ship_type:u:8 " + _DIMENSIONS + " epfd:u:4 raim:b:1 dte:b:1 "
        "assigned:b:1 _:4",
    ),
    _layout(
        "DataLinkManagement",
        (20,),
        "Data link management: one to four slot reservations.",
        "_:2 offset1:u:12 number1:u:4 timeout1:u:3 increment1:u:11 offset2:u:12 number2:u:4 "
        "timeout2:u:3 increment2:u:11 offset3:u:12 number3:u:4 timeout3:u:3 increment3:u:11 "
        "offset4:u:12 number4:u:4 timeout4:u:3 increment4:u:11",
    ),
    _layout(
        "AidToNavigationReport",
        (21,),
        "Aid-to-navigation report.",
        "aid_type:u:5 name:t:120 accuracy:b:1 " + _POS + " " + _DIMENSIONS + " epfd:u:4 "
        "second:u:6!60 off_position:b:1 reserved_1:u:8 raim:b:1 virtual_aid:b:1 assigned:b:1 "
        "_:1 name_ext:t:88+",
        # A name of 20 characters continues in name_ext.
        (("full_name", "str", "(self.name or '') + (self.name_ext or '') if self.name else ''"),),
    ),
    _layout(
        "ChannelManagementAddressed",
        (22,),
        "Channel management addressed to two stations.",
        "_:2 channel_a:u:12 channel_b:u:12 txrx:u:4 power:b:1 dest1:u:30 empty_1:u:5 "
        "dest2:u:30 empty_2:u:5 addressed:b:1 band_a:b:1 band_b:b:1 zonesize:u:3 _:23",
    ),
    _layout(
        "ChannelManagementBroadcast",
        (22,),
        "Channel management for an area; corners in minutes.",
        "_:2 channel_a:u:12 channel_b:u:12 txrx:u:4 power:b:1 ne_lon:F10:18 ne_lat:F10:17 "
        "sw_lon:F10:18 sw_lat:F10:17 addressed:b:1 band_a:b:1 band_b:b:1 zonesize:u:3 _:23",
    ),
    _layout(
        "GroupAssignmentCommand",
        (23,),
        "Group assignment command for an area; corners in minutes.",
        "_:2 ne_lon:F10:18 ne_lat:F10:17 sw_lon:F10:18 sw_lat:F10:17 station_type:u:4 "
        "ship_type:u:8 _:22 txrx:u:2 interval:u:4 quiet:u:4 _:6",
    ),
    _layout(
        "StaticDataReportA",
        (24,),
        "Class B static data report, part A: the name.",
        "partno:u:2 shipname:t:120 _:8",
    ),
    _layout(
        "StaticDataReportB",
        (24,),
        "Class B static data report, part B: type, vendor, call sign and dimensions.",
        "partno:u:2 ship_type:u:8 vendorid:t:18 model:u:4 serial:u:20 callsign:t:42 "
        + _DIMENSIONS
        + " _:6",
    ),
    _layout(
        "StaticDataReportBAuxiliary",
        (24,),
        "Class B static data report, part B of an auxiliary craft (MMSI 98MIDxxxx).",
        "partno:u:2 ship_type:u:8 vendorid:t:18 model:u:4 serial:u:20 callsign:t:42 "
        "mothership_mmsi:u:30 _:6",
    ),
    _layout(
        "StaticDataReportOther",
        (24,),
        "Class B static data report with a part number (2 or 3) that ITU-R M.1371-5 leaves "
        "undefined; the rest of the payload is kept as binary data.",
        "partno:u:2 data:d:160+",
    ),
    _layout(
        "SingleSlotBinaryAddressedStructured",
        (25,),
        "Single slot binary message, addressed, with an application identifier.",
        "addressed:b:1 structured:b:1 dest_mmsi:u:30 app_id:u:16 data:d:82",
    ),
    _layout(
        "SingleSlotBinaryAddressed",
        (25,),
        "Single slot binary message, addressed, unstructured.",
        "addressed:b:1 structured:b:1 dest_mmsi:u:30 data:d:98",
    ),
    _layout(
        "SingleSlotBinaryBroadcastStructured",
        (25,),
        "Single slot binary message, broadcast, with an application identifier.",
        "addressed:b:1 structured:b:1 app_id:u:16 data:d:112",
    ),
    _layout(
        "SingleSlotBinaryBroadcast",
        (25,),
        "Single slot binary message, broadcast, unstructured.",
        "addressed:b:1 structured:b:1 data:d:128",
    ),
    _layout(
        "MultiSlotBinaryAddressed",
        (26,),
        "Multiple slot binary message, addressed (pyais reads an application id in both forms).",
        "addressed:b:1 structured:b:1 dest_mmsi:u:30 app_id:u:16 data:d:958 radio:u:20",
    ),
    _layout(
        "MultiSlotBinaryBroadcastStructured",
        (26,),
        "Multiple slot binary message, broadcast, with an application identifier.",
        "addressed:b:1 structured:b:1 app_id:u:16 data:d:988 radio:u:20",
    ),
    _layout(
        "MultiSlotBinaryBroadcast",
        (26,),
        "Multiple slot binary message, broadcast, unstructured.",
        "addressed:b:1 structured:b:1 data:d:1004 radio:u:20",
    ),
    _layout(
        "LongRangeReport",
        (27,),
        "Position report for long-range applications (satellite); 1/10 minute positions.",
        f"accuracy:b:1 raim:b:1 status:u:4 lon:deg600:18!{_LON600} lat:deg600:17!{_LAT600} "
        "speed:f:6!63 course:f:9!511 gnss:b:1 _:1",
    ),
)

BY_NAME: dict[str, Layout] = {layout.name: layout for layout in LAYOUTS}
