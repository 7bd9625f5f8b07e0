// The show at a glance: title, show clock (and what is left of the planned
// length), recording, partner sites, viewers.
import QtQuick
import QtQuick.Layouts
import Yishiting 1.0

Rectangle {
    id: bar
    property var status: ({})
    readonly property var show: status.show || ({})
    readonly property var recording: status.recording || ({})
    readonly property var destinations: status.destinations || []
    readonly property int liveDestinations: destinations.filter(function(d) { return d.enabled && d.state === "live" }).length
    readonly property int enabledDestinations: destinations.filter(function(d) { return d.enabled }).length

    function megabytes(bytes) {
        return bytes >= 1073741824 ? (bytes / 1073741824).toFixed(2) + " GB" : Math.round(bytes / 1048576) + " MB"
    }

    color: Style.panel
    radius: Style.radius
    border.color: Style.line
    implicitHeight: 46

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 12
        anchors.rightMargin: 12
        spacing: 18
        Text {
            Layout.fillWidth: true
            text: bar.show.title || ""
            textFormat: Text.PlainText
            color: Style.text
            font.family: Style.family
            font.pixelSize: Style.title
            font.bold: true
            elide: Text.ElideRight
        }
        Column {
            Text {
                objectName: "showClock"
                text: studio.timecode(bar.show.timeline_ms || 0)
                textFormat: Text.PlainText
                color: Style.text
                font.family: Style.family
                font.pixelSize: 20
                font.bold: true
            }
            Text {
                visible: (bar.show.duration_min || 0) > 0
                text: qsTr("剩余 %1").arg(studio.timecode(Math.max(0, bar.show.duration_min * 60000 - (bar.show.timeline_ms || 0))))
                textFormat: Text.PlainText
                color: (bar.show.duration_min * 60000 - (bar.show.timeline_ms || 0)) < 60000 ? Style.program : Style.muted
                font.family: Style.family
                font.pixelSize: Style.small
            }
        }
        Row {
            spacing: 6
            Rectangle {
                width: 12
                height: 12
                radius: 6
                anchors.verticalCenter: parent.verticalCenter
                color: bar.recording.state === "recording" ? Style.program : Style.muted
            }
            Text {
                objectName: "recordingState"
                text: bar.recording.state === "recording"
                      ? qsTr("录制 %1 · %2").arg(studio.timecode(bar.recording.duration_ms || 0)).arg(bar.megabytes(bar.recording.bytes || 0))
                      : bar.recording.state === "retrying" ? qsTr("录制重试中") : qsTr("未录制")
                textFormat: Text.PlainText
                color: Style.text
                font.family: Style.family
                font.pixelSize: Style.normal
            }
        }
        Text {
            text: qsTr("推流 %1/%2").arg(bar.liveDestinations).arg(bar.enabledDestinations)
            textFormat: Text.PlainText
            color: bar.liveDestinations < bar.enabledDestinations ? Style.warning : Style.text
            font.family: Style.family
            font.pixelSize: Style.normal
        }
        Text {
            text: qsTr("在线 %1").arg(bar.status.clients || 0)
            textFormat: Text.PlainText
            color: Style.muted
            font.family: Style.family
            font.pixelSize: Style.normal
        }
    }
}
