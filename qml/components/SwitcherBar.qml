// Layouts into preview, and the take: Cut (Space) and Auto (Enter, a fade
// of the set length). What is in preview goes on air; what was on air comes
// back into preview, like a vision mixer.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Yishiting 1.0

Rectangle {
    id: bar
    objectName: "switcherBar"
    property var preview: ({})
    property var program: ({})
    property alias fadeMs: fade.value
    signal layoutChosen(string layout)
    signal cut()
    signal auto()

    color: Style.panel
    radius: Style.radius
    border.color: Style.line
    implicitHeight: 92

    // Two rows: the six layouts, then the fade and the take (one row held
    // neither at 1280 px).
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 8
        spacing: 4
        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            Text {
                text: qsTr("预监画面")
                textFormat: Text.PlainText
                color: Style.muted
                font.family: Style.family
                font.pixelSize: Style.small
            }
            // The layouts give way when the bar is short of room.
            ButtonRow {
                Layout.fillWidth: true
                Layout.preferredWidth: naturalWidth
                Layout.maximumWidth: naturalWidth
                spacing: 6
                ConsoleButton {
                    objectName: "layout-single"
                    text: qsTr("单机位")
                    hint: "F5"
                    checkable: true
                    checked: bar.preview.layout === "single"
                    tint: Style.preview
                    onClicked: bar.layoutChosen("single")
                }
                ConsoleButton {
                    objectName: "layout-side_by_side"
                    text: qsTr("左右分屏")
                    hint: "F6"
                    checkable: true
                    checked: bar.preview.layout === "side_by_side"
                    tint: Style.preview
                    onClicked: bar.layoutChosen("side_by_side")
                }
                ConsoleButton {
                    objectName: "layout-pip"
                    text: qsTr("画中画")
                    hint: "F7"
                    checkable: true
                    checked: bar.preview.layout === "pip"
                    tint: Style.preview
                    onClicked: bar.layoutChosen("pip")
                }
                ConsoleButton {
                    objectName: "layout-grid"
                    text: qsTr("宫格")
                    hint: "F8"
                    checkable: true
                    checked: bar.preview.layout === "grid"
                    tint: Style.preview
                    onClicked: bar.layoutChosen("grid")
                }
                ConsoleButton {
                    objectName: "layout-host_plus"
                    text: qsTr("主持+嘉宾")
                    hint: "F9"
                    checkable: true
                    checked: bar.preview.layout === "host_plus"
                    tint: Style.preview
                    onClicked: bar.layoutChosen("host_plus")
                }
                ConsoleButton {
                    objectName: "layout-row3"
                    text: qsTr("三联")
                    hint: "F10"
                    checkable: true
                    checked: bar.preview.layout === "row3"
                    tint: Style.preview
                    onClicked: bar.layoutChosen("row3")
                }
            }
            Item { Layout.fillWidth: true }
        }
        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            Item { Layout.fillWidth: true }
            Text {
                text: qsTr("淡化")
                textFormat: Text.PlainText
                color: Style.muted
                font.family: Style.family
                font.pixelSize: Style.small
            }
            SpinBox {
                id: fade
                objectName: "fade-ms"
                from: 100
                to: 5000
                stepSize: 100
                value: 500
                editable: true
                focusPolicy: Qt.StrongFocus
                font.family: Style.family
                implicitWidth: 120
                textFromValue: function(value) { return value + " ms" }
                valueFromText: function(text) { return parseInt(text) || 500 }
            }
            ConsoleButton {
                objectName: "take-cut"
                text: qsTr("切换")
                hint: qsTr("空格")
                tint: Style.program
                onClicked: bar.cut()
            }
            ConsoleButton {
                objectName: "take-auto"
                text: qsTr("淡入淡出")
                hint: "Enter"
                tint: Style.program
                onClicked: bar.auto()
            }
        }
    }
}
