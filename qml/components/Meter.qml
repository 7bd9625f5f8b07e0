// An audio meter: RMS as the bar, peak as a tick, -60..0 dBFS; green to
// -18, amber to -6, red above. Vertical.
import QtQuick
import Yishiting 1.0

Item {
    id: meter
    property real rmsDb: -100
    property real peakDb: -100
    readonly property real floorDb: -60

    function fraction(db) {
        return Math.max(0, Math.min(1, (db - floorDb) / -floorDb))
    }
    function colour(db) {
        return db > -6 ? Style.program : db > -18 ? Style.warning : Style.preview
    }

    implicitWidth: 8
    Rectangle {
        anchors.fill: parent
        color: "#0b0d10"
        radius: 2
    }
    Rectangle {
        anchors.bottom: parent.bottom
        width: parent.width
        height: parent.height * meter.fraction(meter.rmsDb)
        color: meter.colour(meter.rmsDb)
        radius: 2
    }
    Rectangle {
        width: parent.width
        height: 2
        y: parent.height * (1 - meter.fraction(meter.peakDb)) - 1
        visible: meter.peakDb > meter.floorDb
        color: meter.colour(meter.peakDb)
    }
}
