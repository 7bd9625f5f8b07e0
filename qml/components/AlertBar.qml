// What needs the producer now: a source lost, a partner site down, the
// recording interrupted, frames dropped, the disk filling up.
import QtQuick
import Yishiting 1.0

Rectangle {
    id: bar
    property var alerts: []
    readonly property bool serious: alerts.some(function(a) { return a.level === "error" })
    objectName: "alertBar"
    visible: alerts.length > 0
    implicitHeight: visible ? row.implicitHeight + 12 : 0
    color: serious ? "#4a1416" : "#4a3510"
    radius: Style.radius
    border.color: serious ? Style.program : Style.warning
    Flow {
        id: row
        x: 10
        y: 6
        width: parent.width - 20
        spacing: 18
        Repeater {
            model: bar.alerts
            delegate: Text {
                required property var modelData
                text: "⚠ " + modelData.text
                textFormat: Text.PlainText
                color: modelData.level === "error" ? "#ffb3b3" : "#ffd891"
                font.family: Style.family
                font.pixelSize: Style.normal
                font.bold: modelData.level === "error"
            }
        }
    }
}
